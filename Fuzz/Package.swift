// swift-tools-version: 6.1
// libFuzzer targets over LessonKit and Parity (`make fuzz`, README "Fuzzing"). A package of its own
// so that the fuzz build (its flags, its build folder .build-fuzz) never touches the normal build.
// Built with -sanitize=fuzzer (each main.swift starts libFuzzer's driver, FuzzSupport.runFuzzer)
// and -enable-testing, so the targets reach internal entry points through `@testable import`.
import PackageDescription

let fuzzers = ["lesson", "frontmatter", "tex", "compare", "plots", "parity"]

let package = Package(
    name: "arcface-lessons-fuzz",
    dependencies: [.package(name: "arcface-lessons", path: "..")],
    targets: [
        .target(name: "FuzzSupport"),
    ] + fuzzers.map { name in
        .executableTarget(
            name: "fuzz-\(name)",
            dependencies: [
                "FuzzSupport",
                .product(name: "LessonKit", package: "arcface-lessons"),
                .product(name: "LessonRepl", package: "arcface-lessons"),
                .product(name: "TeXMathML", package: "arcface-lessons"),
                .product(name: "Parity", package: "arcface-lessons"),
                .product(name: "ArcFaceKit", package: "arcface-lessons"),
                .product(name: "LessonRuntime", package: "arcface-lessons"),
            ]
        )
    }
)
