// libedit's readline interface (Debian libedit-dev, pkg-config libedit) for `arcface-lessons repl`:
// line editing and history on a terminal. Only LessonRepl's ReplTerminal.swift imports it.
#include <stdio.h>
#include <editline/readline.h>
