import CFuzzerDriver

// SwiftPM links this executable's `main` as `<Target>_main`, so libFuzzer's `main` is not used:
// hand control to libFuzzer's driver with the `fuzz` entry point (also exported as
// LLVMFuzzerTestOneInput).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data!, size) })
