// A fast local upstream for benchmarks, compiled so that it is never the bottleneck.
//   GET/POST /json  → a small JSON object
//   POST /v1/chat/completions → an OpenAI chat completion (SSE when the body asks for "stream":true;
//                               500 content events with "bench_long":true)
//   POST /v1/messages, POST /v1beta/models/… → an Anthropic / Gemini answer (a 500-event stream
//                               when the body asks for "stream":true / the path for :streamGenerateContent)
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
	"strings"
	"syscall"
)

const claudeJSON = `{"id":"msg_bench","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[{"type":"text","text":"Hello from the benchmark upstream."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":21,"output_tokens":9}}`

const geminiJSON = `{"candidates":[{"content":{"parts":[{"text":"Hello from the benchmark upstream."}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":21,"candidatesTokenCount":9,"totalTokenCount":30},"modelVersion":"gemini-2.5-flash","responseId":"bench-gemini"}`

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

// Long streams (500 content events) for the per-event rows: the same answer as an OpenAI stream
// (asked with "bench_long":true), an Anthropic Messages stream (POST /v1/messages) and a Gemini
// stream (POST /v1beta/models/…:streamGenerateContent?alt=sse).
const longEvents = 500

var longOpenAI = func() []byte {
	var b bytes.Buffer
	for i := 0; i < longEvents; i++ {
		fmt.Fprintf(&b, "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" token%d\"},\"finish_reason\":null}]}\n\n", i)
	}
	b.WriteString("data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n")
	b.WriteString("data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":21,\"completion_tokens\":500,\"total_tokens\":521}}\n\n")
	b.WriteString("data: [DONE]\n\n")
	return b.Bytes()
}()

var longClaude = func() []byte {
	var b bytes.Buffer
	b.WriteString("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_bench\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-haiku-4-5\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":21,\"output_tokens\":1}}}\n\n")
	b.WriteString("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n")
	for i := 0; i < longEvents; i++ {
		fmt.Fprintf(&b, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" token%d\"}}\n\n", i)
	}
	b.WriteString("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n")
	b.WriteString("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":500}}\n\n")
	b.WriteString("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
	return b.Bytes()
}()

var longGemini = func() []byte {
	var b bytes.Buffer
	for i := 0; i < longEvents; i++ {
		finish := ""
		if i == longEvents-1 {
			finish = ",\"finishReason\":\"STOP\""
		}
		fmt.Fprintf(&b, "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\" token%d\"}],\"role\":\"model\"}%s,\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":21,\"candidatesTokenCount\":%d,\"totalTokenCount\":%d},\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"bench-gemini\"}\r\n\r\n", i, finish, i+1, 22+i)
	}
	return b.Bytes()
}()

func sse(w http.ResponseWriter, body []byte) {
	w.Header().Set("content-type", "text/event-stream")
	w.Write(body)
}

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
			if bytes.Contains(body, []byte(`"bench_long":true`)) {
				sse(w, longOpenAI)
				return
			}
			sse(w, sseEvents)
			return
		}
		w.Header().Set("content-type", "application/json")
		w.Write([]byte(chatJSON))
	})
	mux.HandleFunc("/v1/messages", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if bytes.Contains(body, []byte(`"stream":true`)) {
			sse(w, longClaude)
			return
		}
		w.Header().Set("content-type", "application/json")
		w.Write([]byte(claudeJSON))
	})
	mux.HandleFunc("/v1beta/models/", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if strings.Contains(r.URL.Path, ":streamGenerateContent") {
			sse(w, longGemini)
			return
		}
		w.Header().Set("content-type", "application/json")
		w.Write([]byte(geminiJSON))
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
