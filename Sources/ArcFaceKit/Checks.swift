// Checks: torch-style argument errors that always say what went wrong.
//
// ArcFaceKit is built optimised (-O) even in debug builds, and there Swift's `precondition` traps
// without printing its message: a learner would see a bare "Illegal instruction" instead of torch's
// "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)". `fatalError` prints in every build.

/// Like `precondition`, with the message printed in optimised builds too (torch's TORCH_CHECK).
@inline(__always)
func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = String(),
           file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}

/// Like `preconditionFailure`, with the message printed in optimised builds too.
@inline(__always)
func checkFailure(_ message: @autoclosure () -> String = String(), file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError(message(), file: file, line: line)
}
