// Oracle for sdk/test/regex.test.ts: answers regex questions with Go's regexp package, the
// engine Higress's configuration is written for. One JSON request per line on stdin, one JSON
// string per line on stdout. Offsets are converted from UTF-8 bytes to UTF-16 units so they can
// be compared with the AssemblyScript engine's string offsets.
package main

import (
	"bufio"
	"encoding/json"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

type request struct {
	Op      string `json:"op"`
	Pattern string `json:"p"`
	Subject string `json:"s"`
	Repl    string `json:"r"`
}

// utf16Offsets maps each byte offset of s to the UTF-16 offset of the same position.
func utf16Offsets(s string) []int {
	m := make([]int, len(s)+1)
	j := 0
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		for k := 0; k < w; k++ {
			m[i+k] = j
		}
		if r >= 0x10000 {
			j += 2
		} else {
			j++
		}
		i += w
	}
	m[len(s)] = j
	return m
}

func spans(a []int, m []int) string {
	parts := make([]string, len(a))
	for i, x := range a {
		if x < 0 {
			parts[i] = "-1"
		} else {
			parts[i] = strconv.Itoa(m[x])
		}
	}
	return strings.Join(parts, ",")
}

func answer(r request) string {
	re, err := regexp.Compile(r.Pattern)
	if err != nil {
		return "ERR:" + err.Error()
	}
	m := utf16Offsets(r.Subject)
	switch r.Op {
	case "find":
		a := re.FindStringSubmatchIndex(r.Subject)
		if a == nil {
			return "null"
		}
		return spans(a, m)
	case "findAll":
		var parts []string
		for _, a := range re.FindAllStringSubmatchIndex(r.Subject, -1) {
			parts = append(parts, spans(a, m))
		}
		return strings.Join(parts, ";")
	case "replaceAll":
		return re.ReplaceAllString(r.Subject, r.Repl)
	}
	return "ERR:unknown op"
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		var r request
		if err := json.Unmarshal(in.Bytes(), &r); err != nil {
			out.WriteString("\"ERR:bad request\"\n")
			continue
		}
		b, _ := json.Marshal(answer(r))
		out.Write(b)
		out.WriteString("\n")
	}
}
