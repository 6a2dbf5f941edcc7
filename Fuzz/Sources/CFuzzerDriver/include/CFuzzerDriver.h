#ifndef CFUZZERDRIVER_H
#define CFUZZERDRIVER_H
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/// libFuzzer's driver entry point (compiler-rt FuzzerInterface.h). SwiftPM renames an executable's
/// `main` to `<Target>_main` and aliases `main` to it, so libFuzzer's own `main` is never linked;
/// each fuzz target's main.swift calls this instead.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
