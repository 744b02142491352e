// Package tomlline finds the line on which a key of a TOML document is
// defined, so that the config and rules loaders can name the line of a
// mistake they find after decoding (a bad value, an unknown key), not only
// of a syntax error.
package tomlline

import (
	"errors"
	"reflect"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Of is the line on which the key path is defined in text, 0 if that
// cannot be told.
//
// The TOML decoder keeps key positions to itself and reveals them only in
// the errors of a decode, so decode again into a type that holds exactly
// the path to key and fails when it gets there.
func Of(text string, key ...string) int {
	t := reflect.TypeFor[failHere]()
	for i := len(key) - 1; i >= 0; i-- {
		k := key[i]
		if k == "" || k == "-" || strings.Contains(k, ",") {
			return 0 // not expressible as a toml struct tag
		}
		t = reflect.StructOf([]reflect.StructField{{
			Name: "F",
			Type: t,
			Tag:  reflect.StructTag("toml:" + strconv.Quote(k)),
		}})
	}
	_, err := toml.Decode(text, reflect.New(t).Interface())
	var pe toml.ParseError
	if errors.As(err, &pe) && pe.Message == foundHere {
		return pe.Position.Line
	}
	return 0
}

const foundHere = "found here"

// failHere is the leaf of the type Of decodes into.
type failHere struct{}

func (failHere) UnmarshalTOML(any) error { return errors.New(foundHere) }
