// The benchmark's "ported SDK" column: the same logic as test/bench/go-plugin (set header
// x-bench: go, rewrite "model" in the JSON request body with tidwall/sjson) written on the real
// proxy-wasm Go SDK, github.com/tetratelabs/proxy-wasm-go-sdk v0.24.0, as served by the Go proxy.
//
// That SDK targets TinyGo. To build it with Go's own toolchain (wasip1, //go:wasmexport) the
// bench overlays two files onto the module's proxywasm/internal package, leaving every other SDK
// file as published (test/bench/run.ts writes the overlay):
//   - port/hostcalls.go.in replaces abi_hostcalls_mock.go (the non-TinyGo test double of the host
//     calls) with //go:wasmimport declarations and wrappers keeping the SDK's signatures;
//   - port/exports.go.in adds //go:wasmexport entry points that call the SDK's callbacks.
//
// Build: GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -overlay overlay.json -o go-sdk-rewrite.wasm .
package main

import (
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm"
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/tidwall/sjson"
)

// A c-shared module's main is not run (the host calls _initialize): register in init, as the
// SDK's examples do in main under TinyGo.
func init() { proxywasm.SetVMContext(&vmContext{}) }

func main() {}

type vmContext struct{ types.DefaultVMContext }

func (*vmContext) NewPluginContext(contextID uint32) types.PluginContext { return &pluginContext{} }

type pluginContext struct{ types.DefaultPluginContext }

func (*pluginContext) NewHttpContext(contextID uint32) types.HttpContext { return &httpContext{} }

type httpContext struct{ types.DefaultHttpContext }

func (*httpContext) OnHttpRequestHeaders(numHeaders int, endOfStream bool) types.Action {
	if err := proxywasm.ReplaceHttpRequestHeader("x-bench", "go"); err != nil {
		proxywasm.LogErrorf("x-bench: %v", err)
	}
	return types.ActionContinue
}

func (*httpContext) OnHttpRequestBody(bodySize int, endOfStream bool) types.Action {
	if !endOfStream {
		return types.ActionPause // buffer until the whole body is here
	}
	body, err := proxywasm.GetHttpRequestBody(0, bodySize)
	if err != nil {
		return types.ActionContinue
	}
	out, err := sjson.SetBytes(body, "model", "bench-model")
	if err != nil {
		return types.ActionContinue
	}
	if err := proxywasm.ReplaceHttpRequestBody(out); err != nil {
		proxywasm.LogErrorf("body: %v", err)
	}
	return types.ActionContinue
}
