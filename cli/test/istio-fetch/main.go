// istio-fetch pulls a Wasm module from a registry the way Istio's pkg/wasm/imagefetcher.go picks
// it out of an image, with the library Istio uses (go-containerregistry):
//  1. a Docker schema2 manifest: the last layer, a docker rootfs tar+gzip holding plugin.wasm;
//  2. else, if the last layer is an OCI tar+gzip: the first entry named plugin.wasm in it (compat);
//  3. else exactly two layers, one of them application/vnd.module.wasm.content.layer.v1+wasm, raw.
// The config media type is never looked at, as in Istio.
//
// Usage: istio-fetch <registry>/<repository>:<tag> <output file>   (plain HTTP: loopback test registries)
package main

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const wasmLayer = types.MediaType("application/vnd.module.wasm.content.layer.v1+wasm")

func fromTarGz(l v1.Layer) ([]byte, error) {
	rc, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	gz, err := gzip.NewReader(rc)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, errors.New("no plugin.wasm in the tar+gzip layer")
		}
		if err != nil {
			return nil, err
		}
		if filepath.Base(h.Name) == "plugin.wasm" {
			return io.ReadAll(tr)
		}
	}
}

func fetch(ref string) ([]byte, string, error) {
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		return nil, "", err
	}
	img, err := remote.Image(r)
	if err != nil {
		return nil, "", err
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, "", err
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, "", err
	}
	if len(layers) == 0 {
		return nil, "", errors.New("image has no layers")
	}
	last := layers[len(layers)-1]
	lastType, err := last.MediaType()
	if err != nil {
		return nil, "", err
	}
	if m.MediaType == types.DockerManifestSchema2 {
		if lastType != types.DockerLayer {
			return nil, "", fmt.Errorf("docker image: last layer is %s", lastType)
		}
		b, err := fromTarGz(last)
		return b, "docker", err
	}
	if lastType == types.OCILayer {
		b, err := fromTarGz(last)
		return b, "compat", err
	}
	if len(layers) != 2 {
		return nil, "", fmt.Errorf("oci image: %d layers, want 2", len(layers))
	}
	for _, l := range layers {
		t, err := l.MediaType()
		if err != nil {
			return nil, "", err
		}
		if t == wasmLayer {
			rc, err := l.Compressed()
			if err != nil {
				return nil, "", err
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			return b, "oci", err
		}
	}
	return nil, "", errors.New("oci image: no wasm content layer")
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: istio-fetch <ref> <out>")
		os.Exit(2)
	}
	b, variant, err := fetch(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "istio-fetch:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[2], b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "istio-fetch:", err)
		os.Exit(1)
	}
	fmt.Println(variant)
}
