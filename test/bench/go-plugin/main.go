// The benchmark's peer column: the same logic as test/plugins/bench-rewrite (Sluice), written in
// Go for the wasip1 target with Go's standard toolchain. The proxy-wasm Go SDK module is not
// served by this machine's Go proxy, so this file carries the few ABI calls the logic needs
// (go:wasmimport / go:wasmexport), the same calls the SDK would make.
//
// Logic per request: set header x-bench: go on the request; buffer the JSON request body, set
// "model" to "bench-model" and replace the body — with encoding/json into a map (rewrite_json.go,
// the default) or with tidwall/sjson, what Higress's Go plugins use (rewrite_sjson.go, tag sjson).
//
// Build: GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared [-tags sjson] -o go-rewrite.wasm .
package main

import (
	"unsafe"
)

func main() {}

//go:wasmimport env proxy_replace_header_map_value
func replaceHeader(mapType uint32, keyPtr unsafe.Pointer, keyLen uint32, valPtr unsafe.Pointer, valLen uint32) uint32

//go:wasmimport env proxy_get_buffer_bytes
func getBufferBytes(bufType uint32, start uint32, maxSize uint32, retPtr unsafe.Pointer, retLen unsafe.Pointer) uint32

//go:wasmimport env proxy_set_buffer_bytes
func setBufferBytes(bufType uint32, start uint32, size uint32, ptr unsafe.Pointer, length uint32) uint32

// Memory handed to the host stays reachable until the guest takes it back.
var hostAllocations = map[uintptr][]byte{}

//go:wasmexport proxy_on_memory_allocate
func onMemoryAllocate(size uint32) uintptr {
	if size == 0 {
		size = 1
	}
	b := make([]byte, size)
	p := uintptr(unsafe.Pointer(&b[0]))
	hostAllocations[p] = b
	return p
}

func takeHostBuffer(ptr uintptr, size uint32) []byte {
	b, ok := hostAllocations[ptr]
	if !ok {
		return nil
	}
	delete(hostAllocations, ptr)
	return b[:size]
}

//go:wasmexport proxy_abi_version_0_2_1
func abiVersion() {}

//go:wasmexport proxy_on_vm_start
func onVmStart(rootID uint32, size uint32) uint32 { return 1 }

//go:wasmexport proxy_on_configure
func onConfigure(rootID uint32, size uint32) uint32 { return 1 }

//go:wasmexport proxy_on_context_create
func onContextCreate(id uint32, parent uint32) {}

//go:wasmexport proxy_on_done
func onDone(id uint32) uint32 { return 1 }

//go:wasmexport proxy_on_log
func onLog(id uint32) {}

//go:wasmexport proxy_on_delete
func onDelete(id uint32) {}

var headerName = []byte("x-bench")
var headerValue = []byte("go")

//go:wasmexport proxy_on_request_headers
func onRequestHeaders(id uint32, numHeaders uint32, endOfStream uint32) uint32 {
	replaceHeader(0, unsafe.Pointer(&headerName[0]), uint32(len(headerName)), unsafe.Pointer(&headerValue[0]), uint32(len(headerValue)))
	return 0
}

//go:wasmexport proxy_on_request_body
func onRequestBody(id uint32, bodySize uint32, endOfStream uint32) uint32 {
	if endOfStream == 0 {
		return 1 // StopIterationAndBuffer until the whole body is here
	}
	var ptr uintptr
	var size uint32
	if getBufferBytes(0, 0, 0xffffffff, unsafe.Pointer(&ptr), unsafe.Pointer(&size)) != 0 || ptr == 0 {
		return 0
	}
	out := rewrite(takeHostBuffer(ptr, size))
	if len(out) == 0 {
		return 0
	}
	setBufferBytes(0, 0, 0xffffffff, unsafe.Pointer(&out[0]), uint32(len(out)))
	return 0
}
