package console

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"kycflow/store"
)

//go:embed templates static
var assets embed.FS

// contentSecurityPolicy allows the console's own stylesheet and nothing
// else: no script at all, no inline style, no frames, no form posted
// elsewhere, no <base> rewriting links.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

// secureHeaders are on every console answer. Pages show case data, so
// nothing is stored by the browser or a proxy (the stylesheet overrides).
func secureHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// staticFiles serves the embedded stylesheet, which holds no case data.
func staticFiles(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		h.ServeHTTP(w, r)
	})
}

// pages are the parsed templates, one set per page, each with the layout.
type pages struct{ byName map[string]*template.Template }

var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"join": strings.Join,
	"path": url.PathEscape,
}

func mustParsePages() *pages {
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html"))
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		panic(err)
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, file := range names {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if name == "layout" {
			continue
		}
		p.byName[name] = template.Must(template.Must(layout.Clone()).ParseFS(assets, file))
	}
	return p
}

// view is what every page's template gets: who is signed in (nil on the
// sign-in pages), the session's CSRF token for forms, and the page's data.
type view struct {
	Me   *store.Session
	CSRF string
	Now  time.Time
	Data any
}

// CanRedrive tells the layout whether to link the admin pages.
func (v view) CanRedrive() bool { return v.Me != nil && v.Me.Role.CanRedrive() }

// message is a page that says one thing: a refusal, an error.
type message struct {
	Title, Text string
	// SignIn offers the sign-in page.
	SignIn bool
	// Back links to the page to return to.
	Back string
}

// render answers status with the page name; the page is rendered in full
// before anything is written, so a template error never leaves half a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, s *store.Session, data any) {
	v := view{Me: s, Now: c.o.Now().UTC(), Data: data}
	if s != nil {
		v.CSRF = s.CSRFToken
	}
	var buf bytes.Buffer
	t, ok := c.pages.byName[name]
	if !ok {
		c.log.Error("console: no such page template", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		c.log.Error("console: render page", "page", name, "path", r.URL.Path, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
