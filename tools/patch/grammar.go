package patch

// grammar is the Lark grammar of the patch format, given to models on the
// Responses wire so that they can only produce well-formed patches.
const grammar = `start: begin_patch hunk+ end_patch
begin_patch: "*** Begin Patch" LF
end_patch: "*** End Patch" LF?

hunk: add_hunk | delete_hunk | update_hunk
add_hunk: "*** Add File: " filename LF add_line+
delete_hunk: "*** Delete File: " filename LF
update_hunk: "*** Update File: " filename LF change_move? change?

filename: /(.+)/
add_line: "+" /(.*)/ LF -> line

change_move: "*** Move to: " filename LF
change: (change_context | change_line)+ eof_line?
change_context: ("@@" | "@@ " /(.+)/) LF
change_line: ("+" | "-" | " ") /(.*)/ LF
eof_line: "*** End of File" LF

%import common.LF
`

const description = `Use the apply_patch tool to edit files. The patch language is a stripped-down, file-oriented diff format:

*** Begin Patch
[ one or more file sections ]
*** End Patch

Each file section starts with one of three headers:
*** Add File: <path> - create a new file; every following line starts with + and is the file's content.
*** Delete File: <path> - remove an existing file; nothing follows.
*** Update File: <path> - change an existing file in place, optionally followed by *** Move to: <new path> to rename it.

An update holds one or more hunks, each introduced by @@ (optionally followed by a line to find first, such as a class or function signature). In a hunk every line starts with a space (context), - (removed) or + (added). Give about 3 lines of context before and after each change; when that is not unique, add an @@ line naming the enclosing class or function. End a hunk with *** End of File when it must match the end of the file.

Paths are relative to the working directory (absolute paths work too). Example:

*** Begin Patch
*** Add File: hello.txt
+Hello world
*** Update File: src/app.py
*** Move to: src/main.py
@@ def greet():
-print("Hi")
+print("Hello, world!")
*** Delete File: obsolete.txt
*** End Patch`
