package tui

import "fmt"

// SetupHelp is the first-run screen, when the API key variable keyName
// is not set: every way to give warden a model.
func SetupHelp(keyName string) string {
	return fmt.Sprintf(`warden needs a model to talk to, and %[1]s is not set. Any of these works:

  OpenAI: export %[1]s=sk-... and run warden again
  Ollama: warden --provider ollama --model qwen3-coder
  LM Studio: warden --provider lmstudio --model MODEL
  vLLM, llama.cpp's server or any other OpenAI-compatible server:
    warden --base-url http://localhost:8000/v1 --wire chat --model MODEL

The same settings can live in ~/.config/warden/config.toml (see docs/config.md).
To see warden at work without a model or a key: warden demo`, keyName)
}
