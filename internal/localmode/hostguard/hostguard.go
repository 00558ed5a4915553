// Package hostguard makes local mode safe to run on a laptop: a web page
// open in the same browser must not reach the API or the AWS edge (DNS
// rebinding: a hostile name that resolves to 127.0.0.1 sends its own Host),
// only configured origins get CORS answers, and a slow client cannot hold a
// connection for ever.
package hostguard

import (
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hotline12345/hotline/internal/app/httpapi"
)

// Guard checks the Host of every request and answers CORS for the allowed
// origins only.
type Guard struct {
	hosts   []string // lower-case host names, without port
	origins []string // exact origins, e.g. http://localhost:3000
}

// New allows requests whose Host names the address the server is bound to,
// the loopback names when it is bound to loopback, and the extra names (a
// LAN host name, for instance). origins lists the web origins answered with
// CORS headers; none by default (pages served by the gateway are same-origin).
func New(boundAddr string, extraHosts, origins []string) *Guard {
	host, _, err := net.SplitHostPort(boundAddr)
	if err != nil {
		host = boundAddr
	}
	g := &Guard{origins: origins}
	g.hosts = append(g.hosts, strings.ToLower(strings.Trim(host, "[]")))
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() || host == "localhost" {
		g.hosts = append(g.hosts, "localhost", "127.0.0.1", "::1")
	}
	for _, h := range extraHosts {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			g.hosts = append(g.hosts, h)
		}
	}
	return g
}

// AllowsHost says whether a Host header names this server.
func (g *Guard) AllowsHost(hostHeader string) bool {
	host, _, err := net.SplitHostPort(hostHeader)
	if err != nil {
		host = hostHeader
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	return host != "" && slices.Contains(g.hosts, host)
}

// Wrap guards h.
func (g *Guard) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.AllowsHost(r.Host) {
			http.Error(w, "host not allowed: local mode answers only the names it is bound to (see --allow-host)", http.StatusMisdirectedRequest)
			return
		}
		if origin := r.Header.Get("Origin"); origin != "" {
			w.Header().Add("Vary", "Origin")
			if slices.Contains(g.origins, origin) {
				w.Header().Set("Access-Control-Allow-Origin", origin)
				if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
					w.Header().Set("Access-Control-Allow-Methods", strings.Join(httpapi.CORS.AllowMethods, ","))
					w.Header().Set("Access-Control-Allow-Headers", strings.Join(httpapi.CORS.AllowHeaders, ","))
					w.Header().Set("Access-Control-Max-Age", strconv.Itoa(httpapi.CORS.MaxAge))
					w.WriteHeader(http.StatusNoContent)
					return
				}
				w.Header().Set("Access-Control-Expose-Headers", strings.Join(httpapi.CORS.ExposeHeaders, ","))
			}
		}
		h.ServeHTTP(w, r)
	})
}

// Server is an http.Server with timeouts: the headers within 10 s, the whole
// request within 30 s (a body trickled at a byte a second is cut off), the
// answer within 60 s (longer than the 20 s long polls of SQS and Step
// Functions activities), idle connections closed after 2 minutes.
func Server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
}

// Loopback says whether an address to bind (host:port) stays on this machine.
func Loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
