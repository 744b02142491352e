package modelclient

import (
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter caps a provider-requested delay. Anything near it is far past
// what the loop is willing to wait anyway; the cap only keeps absurd values
// from overflowing a time.Duration.
const maxRetryAfter = 24 * time.Hour

// Providers put the delay in the message when they give no header, in Go's
// duration syntax ("try again in 1.5s", "in 20ms", "in 6m0s") or in words
// ("retry after 20 seconds").
var (
	retryInDuration = regexp.MustCompile(`(?i)(?:try again|retry)\s+(?:in|after)\s+((?:\d+(?:\.\d+)?(?:ms|h|m|s))+)\b`)
	retryInWords    = regexp.MustCompile(`(?i)(?:try again|retry)\s+(?:in|after)\s+(\d+(?:\.\d+)?)\s*(milliseconds?|seconds?|secs?|minutes?|mins?|hours?)\b`)
)

// retryAfter is the delay the provider asked for, 0 if it did not say. The
// headers win over the message: retry-after-ms is the most precise, then
// Retry-After as seconds or as an HTTP date (relative to now).
func retryAfter(h http.Header, message string, now time.Time) time.Duration {
	if h != nil {
		if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
			if d, ok := scaled(v, time.Millisecond); ok {
				return d
			}
		}
		if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
			if d, ok := scaled(v, time.Second); ok {
				return d
			}
			if t, err := http.ParseTime(v); err == nil {
				return clampDelay(t.Sub(now))
			}
		}
	}
	return retryAfterInMessage(message)
}

func retryAfterInMessage(msg string) time.Duration {
	if m := retryInDuration.FindStringSubmatch(msg); m != nil {
		if d, err := time.ParseDuration(m[1]); err == nil {
			return clampDelay(d)
		}
	}
	if m := retryInWords.FindStringSubmatch(msg); m != nil {
		unit := time.Second
		switch w := strings.ToLower(m[2]); {
		case strings.HasPrefix(w, "milli"):
			unit = time.Millisecond
		case strings.HasPrefix(w, "min"):
			unit = time.Minute
		case strings.HasPrefix(w, "hour"):
			unit = time.Hour
		}
		if d, ok := scaled(m[1], unit); ok {
			return d
		}
	}
	return 0
}

// scaled parses a non-negative decimal number of units.
func scaled(v string, unit time.Duration) (time.Duration, bool) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || f < 0 {
		return 0, false
	}
	if f*float64(unit) >= float64(maxRetryAfter) {
		return maxRetryAfter, true
	}
	return time.Duration(f * float64(unit)), true
}

func clampDelay(d time.Duration) time.Duration {
	return min(max(d, 0), maxRetryAfter)
}
