// A fast local upstream for benchmarks, compiled so that it is never the bottleneck.
//   GET/POST /json  → a small JSON object
//   POST /v1/chat/completions → an OpenAI chat completion (SSE when the body asks for "stream":true)
// It prints "listening <port>" once ready and its CPU time on SIGTERM.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

const chatJSON = `{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the benchmark upstream."},"finish_reason":"stop"}],"usage":{"prompt_tokens":21,"completion_tokens":9,"total_tokens":30}}`

var sseEvents = func() []byte {
	var b bytes.Buffer
	words := []string{"Hello", " from", " the", " benchmark", " upstream", "."}
	for _, w := range words {
		fmt.Fprintf(&b, "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":%q},\"finish_reason\":null}]}\n\n", w)
	}
	b.WriteString("data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":21,\"completion_tokens\":6,\"total_tokens\":27}}\n\n")
	b.WriteString("data: [DONE]\n\n")
	return b.Bytes()
}()

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		// The bench's start-up check (never the measured runs) asks what arrived: the x-bench
		// header and the body's "model", so a rewrite comparator is seen to do its work.
		if r.Header.Get("x-bench-check") == "1" {
			var doc struct {
				Model string `json:"model"`
			}
			body, _ := io.ReadAll(r.Body)
			json.Unmarshal(body, &doc)
			w.Header().Set("x-seen-bench", r.Header.Get("x-bench"))
			w.Header().Set("x-seen-model", doc.Model)
		}
		io.Copy(io.Discard, r.Body)
		w.Header().Set("content-type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	})
	mux.HandleFunc("/v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if bytes.Contains(body, []byte(`"stream":true`)) {
			w.Header().Set("content-type", "text/event-stream")
			w.Write(sseEvents)
			return
		}
		w.Header().Set("content-type", "application/json")
		w.Write([]byte(chatJSON))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("listening " + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cpu := float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
	fmt.Printf("cpu %.3f\n", cpu)
}
