package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// DefaultInboxBatch is the most deliveries one group commit writes.
const DefaultInboxBatch = 64

// inboxWriters is how many group commits may be in flight at once: while
// one waits for its commit, the next is gathering and executing.
const inboxWriters = 2

// maxGroupBytes bounds the bodies of one group (the statement carries them
// all, hex-encoded at twice their size if the URL turns lib/pq's binary
// parameters off): a group of large bodies is cut short.
const maxGroupBytes = 16 << 20

// errClosed answers inserts that arrive after Close.
var errClosed = errors.New("insert inbox event: store is closed")

// groupCommit writes concurrent InsertInbox calls together. A writer takes
// the oldest waiting delivery and every other one already waiting (up to
// max), writes them in one statement and one commit, and answers each. It
// never waits for company: a lone delivery is written at once, and groups
// form only when deliveries arrive faster than commits finish, which is
// when one commit per delivery would be the bottleneck.
type groupCommit struct {
	d    *DB
	max  int
	reqs chan *inboxWait
	quit chan struct{}
	wg   sync.WaitGroup

	mu     sync.RWMutex // held to enqueue; closing takes it exclusively
	closed bool
	once   sync.Once
}

type inboxWait struct {
	ctx  context.Context
	row  inboxRow
	done chan inboxDone // buffered: a writer never blocks on a caller that gave up
}

type inboxDone struct {
	s   Stored
	err error
}

func startGroupCommit(d *DB, max int) *groupCommit {
	g := &groupCommit{d: d, max: max, reqs: make(chan *inboxWait, max*inboxWriters), quit: make(chan struct{})}
	for range inboxWriters {
		g.wg.Go(g.run)
	}
	return g
}

func (g *groupCommit) insert(ctx context.Context, row inboxRow) (Stored, error) {
	w := &inboxWait{ctx: ctx, row: row, done: make(chan inboxDone, 1)}
	if err := g.enqueue(w); err != nil {
		return Stored{}, err
	}
	select {
	case r := <-w.done:
		return r.s, r.err
	case <-ctx.Done():
		// The group may still commit it; a retry is then a counted duplicate.
		return Stored{}, fmt.Errorf("insert inbox event: %w", ctx.Err())
	}
}

// enqueue hands w to the writers. Once close has begun nothing is
// enqueued, so every enqueued delivery is answered: by a writer, or by
// close's drain.
func (g *groupCommit) enqueue(w *inboxWait) error {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.closed {
		return errClosed
	}
	select {
	case g.reqs <- w:
		return nil
	case <-w.ctx.Done():
		return fmt.Errorf("insert inbox event: %w", w.ctx.Err())
	}
}

func (g *groupCommit) run() {
	batch := make([]*inboxWait, 0, g.max)
	for {
		select {
		case w := <-g.reqs:
			batch = append(batch[:0], w)
		case <-g.quit:
			return
		}
		size := batch[0].row.size
	gather:
		for len(batch) < g.max && size < maxGroupBytes {
			select {
			case w := <-g.reqs:
				batch = append(batch, w)
				size += w.row.size
			default:
				break gather
			}
		}
		g.write(batch)
	}
}

// write commits one group. Callers that gave up before it started are
// left out. If the group's statement fails, each delivery is tried on its own, all at
// once (one after the other could outlast their deadlines), so that one row
// the database refuses cannot fail the others.
func (g *groupCommit) write(batch []*inboxWait) {
	live := batch[:0]
	for _, w := range batch {
		if err := w.ctx.Err(); err != nil {
			w.done <- inboxDone{err: fmt.Errorf("insert inbox event: %w", err)}
			continue
		}
		live = append(live, w)
	}
	if len(live) == 0 {
		return
	}
	rows := make([]inboxRow, len(live))
	for i, w := range live {
		rows[i] = w.row
	}
	ctx, cancel := context.WithDeadline(context.Background(), latestDeadline(live))
	done, err := g.d.writeInbox(ctx, rows)
	cancel()
	if err == nil {
		for i, w := range live {
			w.done <- done[i]
		}
		return
	}
	if len(live) == 1 {
		live[0].done <- inboxDone{err: err}
		return
	}
	var wg sync.WaitGroup
	for _, w := range live {
		wg.Go(func() {
			s, err := g.d.writeOne(w.ctx, w.row)
			w.done <- inboxDone{s: s, err: err}
		})
	}
	wg.Wait()
}

// latestDeadline is the last deadline among the group's callers, or a
// minute from now when one has none.
func latestDeadline(ws []*inboxWait) time.Time {
	var last time.Time
	for _, w := range ws {
		dl, ok := w.ctx.Deadline()
		if !ok {
			return time.Now().Add(time.Minute)
		}
		if dl.After(last) {
			last = dl
		}
	}
	return last
}

// close stops the writers after their current group and answers the
// deliveries still waiting. Calling it again does nothing.
func (g *groupCommit) close() {
	g.once.Do(func() {
		g.mu.Lock()
		g.closed = true
		g.mu.Unlock()
		close(g.quit)
		g.wg.Wait()
		for {
			select {
			case w := <-g.reqs:
				w.done <- inboxDone{err: errClosed}
			default:
				return
			}
		}
	})
}
