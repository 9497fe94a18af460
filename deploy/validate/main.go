// Command validate strictly decodes Kubernetes manifests into the upstream API types and fails on
// any field the type does not have, a duplicate field or a value of the wrong type.
//
//	go run . -crds ../seldon/crds FILE... (or - for standard input)
//
// Built-in kinds (k8s.io/api), KServe's serving.kserve.io kinds (github.com/kserve/kserve's Go
// types) and the Prometheus operator's ServiceMonitor are decoded with apimachinery's strict
// decoder, the one kubectl's server-side field validation reports from. Seldon Core v2 publishes
// no Go module, so mlops.seldon.io kinds are checked against the openAPIV3Schema of its published
// CRDs with the API server's own code (k8s.io/apiextensions-apiserver): fields the schema does not
// declare are what the server would prune, and are reported as unknown.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	kservev1alpha1 "github.com/kserve/kserve/pkg/apis/serving/v1alpha1"
	kservev1beta1 "github.com/kserve/kserve/pkg/apis/serving/v1beta1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"
	sigsyaml "sigs.k8s.io/yaml"
)

func main() {
	crdDir := flag.String("crds", "", "folder of CustomResourceDefinition YAML files to validate custom resources against")
	quiet := flag.Bool("q", false, "print failures only")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: validate [-crds DIR] [-q] FILE... (- reads standard input)")
		os.Exit(2)
	}
	v, err := newValidator(*crdDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "validate:", err)
		os.Exit(2)
	}
	failed := 0
	total := 0
	for _, path := range flag.Args() {
		results, err := v.validateFile(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "FAIL %s: %v\n", path, err)
			failed++
			continue
		}
		for _, r := range results {
			total++
			if r.err != nil {
				failed++
				fmt.Fprintf(os.Stderr, "FAIL %s: %s: %v\n", path, r.object, r.err)
			} else if !*quiet {
				fmt.Printf("ok   %s: %s (%s)\n", path, r.object, r.checkedBy)
			}
		}
	}
	fmt.Printf("%d manifests, %d failed\n", total, failed)
	if failed > 0 || total == 0 {
		os.Exit(1)
	}
}

// validator holds the scheme of Go types and the schemas of the CRDs without Go types.
type validator struct {
	decoder runtime.Decoder
	scheme  *runtime.Scheme
	crds    map[schema.GroupVersionKind]*crdVersion
}

type crdVersion struct {
	source     string
	internal   *apiextensions.JSONSchemaProps
	structural *structuralschema.Structural
	validator  validation.SchemaValidator
}

// result is the outcome for one document of a file.
type result struct {
	object    string
	checkedBy string
	err       error
}

func newValidator(crdDir string) (*validator, error) {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, autoscalingv2.AddToScheme, policyv1.AddToScheme,
		rbacv1.AddToScheme, monitoringv1.AddToScheme, kservev1alpha1.AddToScheme, kservev1beta1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			return nil, err
		}
	}
	v := &validator{
		decoder: serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer(),
		scheme:  scheme,
		crds:    map[schema.GroupVersionKind]*crdVersion{},
	}
	if crdDir != "" {
		if err := v.loadCRDs(crdDir); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (v *validator) loadCRDs(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no *.yaml CRD files in %s", dir)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := sigsyaml.UnmarshalStrict(data, &crd); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		for i := range crd.Spec.Versions {
			version := &crd.Spec.Versions[i]
			if version.Schema == nil || version.Schema.OpenAPIV3Schema == nil {
				return fmt.Errorf("%s: version %s has no openAPIV3Schema", file, version.Name)
			}
			internal := &apiextensions.JSONSchemaProps{}
			if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(
				version.Schema.OpenAPIV3Schema, internal, nil); err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			structural, err := structuralschema.NewStructural(internal)
			if err != nil {
				return fmt.Errorf("%s: version %s: not a structural schema: %w", file, version.Name, err)
			}
			schemaValidator, _, err := validation.NewSchemaValidator(internal)
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: version.Name, Kind: crd.Spec.Names.Kind}
			v.crds[gvk] = &crdVersion{
				source: filepath.Base(file), internal: internal, structural: structural, validator: schemaValidator,
			}
		}
	}
	return nil
}

func (v *validator) validateFile(path string) ([]result, error) {
	var in io.Reader
	if path == "-" {
		in = os.Stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		in = f
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(in))
	var results []result
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return results, nil
		}
		if err != nil {
			return results, err
		}
		r, skip := v.validateDocument(doc)
		if !skip {
			results = append(results, r)
		}
	}
}

// validateDocument checks one YAML document; skip is true for documents holding only comments.
func (v *validator) validateDocument(doc []byte) (r result, skip bool) {
	data, err := sigsyaml.YAMLToJSONStrict(doc)
	if err != nil {
		return result{object: "(unparsable document)", err: err}, false
	}
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return result{}, true
	}
	var meta struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(data, &meta); err != nil {
		return result{object: "(document)", err: err}, false
	}
	r.object = fmt.Sprintf("%s %s/%s", meta.APIVersion, meta.Kind, meta.Metadata.Name)
	if meta.APIVersion == "" || meta.Kind == "" || meta.Metadata.Name == "" {
		r.err = errors.New("apiVersion, kind and metadata.name are required")
		return r, false
	}
	gv, err := schema.ParseGroupVersion(meta.APIVersion)
	if err != nil {
		r.err = err
		return r, false
	}
	gvk := gv.WithKind(meta.Kind)
	if crd, ok := v.crds[gvk]; ok {
		r.checkedBy = "CRD schema " + crd.source
		r.err = crd.validate(data)
		return r, false
	}
	if !v.scheme.Recognizes(gvk) {
		r.err = fmt.Errorf("no Go type or CRD schema known for %s", gvk)
		return r, false
	}
	obj, _, err := v.decoder.Decode(data, nil, nil)
	if err != nil {
		r.err = err
		return r, false
	}
	r.checkedBy = fmt.Sprintf("Go type %T", obj)
	return r, false
}

// validate checks a custom resource the way the API server does on create: unknown fields are what
// pruning would drop; the rest must satisfy the schema (types, enums, required fields, formats).
func (c *crdVersion) validate(data []byte) error {
	// As the API server reads a custom resource: case-sensitive keys, integers kept as int64.
	var obj map[string]interface{}
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(data, &obj); err != nil {
		return err
	}
	var problems []string
	// ObjectMeta is not in the CRD's schema (the API server handles it itself), so it is decoded
	// strictly into its Go type here.
	if raw, ok := obj["metadata"]; ok {
		metaJSON, err := json.Marshal(raw)
		if err != nil {
			return err
		}
		var om metav1.ObjectMeta
		strictErrs, err := sigsjson.UnmarshalStrict(metaJSON, &om)
		if err != nil {
			problems = append(problems, "metadata: "+err.Error())
		}
		for _, e := range strictErrs {
			problems = append(problems, "metadata: "+e.Error())
		}
	}
	pruned := pruning.PruneWithOptions(runtime.DeepCopyJSON(obj), c.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	for _, path := range pruned {
		problems = append(problems, "unknown field \""+path+"\"")
	}
	for _, e := range validation.ValidateCustomResource(nil, obj, c.validator) {
		problems = append(problems, e.Error())
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}
