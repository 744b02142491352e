package tool

import (
	"context"
	"errors"
	"slices"
	"testing"

	"warden/harness/model"
)

type named string

func (n named) Spec() model.ToolSpec { return model.ToolSpec{Name: string(n)} }
func (named) ParallelSafe() bool     { return false }
func (named) Run(context.Context, Call, Env) (Result, error) {
	return Result{}, nil
}

func TestRegistryRejectsDuplicateAndEmptyNames(t *testing.T) {
	if _, err := NewRegistry(named("a"), named("a")); err == nil {
		t.Fatal("duplicate accepted")
	}
	if _, err := NewRegistry(named("")); err == nil {
		t.Fatal("empty name accepted")
	}
}

func TestRegistrySpecsAreSortedForStableRequests(t *testing.T) {
	r, err := NewRegistry(named("zeta"), named("alpha"), named("mid"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range r.Specs() {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"alpha", "mid", "zeta"}) {
		t.Fatalf("%v", names)
	}
	if _, ok := r.Lookup("mid"); !ok {
		t.Fatal("lookup failed")
	}
	var nilReg *Registry
	if _, ok := nilReg.Lookup("x"); ok || nilReg.Names() != nil {
		t.Fatal("nil registry should be empty")
	}
}

func TestBadArgumentsIsRecognisable(t *testing.T) {
	err := BadArguments("field %q missing", "command")
	if !errors.Is(err, ErrBadArguments) || err.Error() != `invalid arguments: field "command" missing` {
		t.Fatalf("%v", err)
	}
}
