package growth

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// process is serve or the worker, run from the kycflow binary.
type process struct {
	cmd  *exec.Cmd
	gone chan struct{} // closed when it has exited
}

// start runs `kycflow sub` from bin (default: this executable) with environ.
func (rig *rig) start(bin, sub string, environ []string, stderr io.Writer) (*process, error) {
	if bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, err
		}
		bin = exe
	}
	p := &process{cmd: exec.Command(bin, sub), gone: make(chan struct{})}
	p.cmd.Env = append(environ, "PATH="+os.Getenv("PATH"), "HOME="+os.Getenv("HOME"))
	p.cmd.Stdout, p.cmd.Stderr = stderr, stderr
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s %s: %w", bin, sub, err)
	}
	go func() {
		err := p.cmd.Wait()
		close(p.gone)
		select {
		case rig.exited <- fmt.Errorf("%s process exited: %v", sub, err):
		default:
		}
	}()
	return p, nil
}

// stop interrupts the process and waits for it (killing it after 30 s).
func (p *process) stop() {
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.gone:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.gone
	}
}

func (p *process) pid() int { return p.cmd.Process.Pid }
