// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "arcface-lessons",
    products: [
        // Dynamic so that lesson programs compiled at run time can link against it.
        .library(name: "ArcFaceKit", type: .dynamic, targets: ["ArcFaceKit"]),
        .library(name: "LessonRuntime", type: .dynamic, targets: ["LessonRuntime"]),
        .executable(name: "arcface-lessons", targets: ["arcface-lessons"]),
        .executable(name: "arcface-bench", targets: ["arcface-bench"]),
        // For the fuzz package (Fuzz/Package.swift); the normal build compiles these targets anyway.
        .library(name: "LessonKit", targets: ["LessonKit"]),
        .library(name: "LessonRepl", targets: ["LessonRepl"]),
        .library(name: "TeXMathML", targets: ["TeXMathML"]),
        .library(name: "Parity", targets: ["Parity"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        // course.yml (and, later, front matter) as real YAML, with line numbers for errors.
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        // `serve`'s HTTP server (Sources/LessonKit/Serve/Server.swift only): small, no SwiftNIO.
        .package(url: "https://github.com/swhitty/FlyingFox", exact: "0.27.1"),
    ],
    targets: [
        // cmark-gfm (Debian libcmark-gfm-dev + libcmark-gfm-extensions-dev); only Markdown.swift imports it.
        .systemLibrary(
            name: "CCmarkGFM",
            pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]
        ),
        // OpenBLAS (Debian libopenblas-dev) for the fast paths' GEMMs (ArcFaceKitFast); lessons never link it.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // prctl(PR_SET_CHILD_SUBREAPER), which Swift cannot call (variadic): the Reaper's one C call.
        .target(name: "CProcessControl"),
        // libedit (Debian libedit-dev): line editing and history for `arcface-lessons repl`.
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        // The fast paths' element-wise kernels, compiled for AVX-512, AVX2 and baseline x86-64 and
        // picked at load time. Always optimised: the vector code is what is being tested.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O2", "-Wno-psabi"])]),
        // Elementary functions and GEMM with one fixed evaluation order: the same bits on every CPU.
        // No fused multiply-add (-ffp-contract=off), whatever the compiler or the target; optimised
        // even in debug builds, since every lesson's tensor ops run through it. -O3 (baseline x86-64,
        // no CPU dispatch): its unrolling keeps the GEMM's 4x8 tile in registers, 3.9 -> 23 GFLOP/s
        // at the lessons' shapes; each lane is still one sum in index order, the same bits as -O2.
        .target(name: "CPortableMath", exclude: ["gemm_body.h", "tables.h"],
                cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off", "-fno-fast-math"])]),
        // The numeric library lesson cells use: tensors, autograd, layers, heads, SGD. Its arithmetic is CPortableMath's and Swift's own (+ - * / sqrt in a fixed order): no BLAS, no libm.
        // Optimised even in debug builds: every lesson program and test runs its tensor ops (about 3x
        // faster). Swift never reassociates or fuses floating-point operations at -O, so the bits
        // are those of -Onone (the course's committed site is checked against both). Whole-module
        // (-wmo), as release builds are: file by file, an op could not be specialised for Float
        // where another file calls it (ReLU -> relu), and ran generic code per element. The public
        // ops carry @_specialize(where Scalar == Float), since lessons call them from outside the
        // module (an unspecialised call dispatches to the Float copy): lesson 06 12 s -> 1.5 s.
        .target(name: "ArcFaceKit", dependencies: ["CPortableMath"], swiftSettings: [.unsafeFlags(["-O", "-wmo", "-num-threads", "2"])]),
        // The benchmarks' fused ArcFace head and toy trainer, on OpenBLAS and CKernels' vector code:
        // fast, not bit-reproducible across machines, so lessons do not link it.
        .target(name: "ArcFaceKitFast", dependencies: ["ArcFaceKit", "CBLAS", "CKernels"]),
        // What lesson programs call around their cells: the channel's records (one Record type for
        // its writers and readers), `show` and the rich results, the REPL's checkpoint. Dynamic, like
        // ArcFaceKit; depends on nothing of the project, so the tool reads records with the same code.
        .target(name: "LessonRuntime"),
        // Evaluates PyTorch-written reference files (the parity format) with ArcFaceKit.
        .target(name: "Parity", dependencies: ["ArcFaceKit"]),
        // TeX to MathML Core for the site's formulas; depends on nothing else of the project.
        .target(name: "TeXMathML"),
        // The pipeline: load -> parse -> execute -> verify -> report -> render a site, one folder per stage.
        // Resources: the page templates (Mustache) and the math font the site ships.
        .target(
            name: "LessonKit",
            dependencies: ["CCmarkGFM", "CProcessControl", "ArcFaceKit", "LessonRuntime", "TeXMathML", .product(name: "Mustache", package: "swift-mustache"),
                           .product(name: "Yams", package: "Yams"), .product(name: "FlyingFox", package: "FlyingFox")],
            resources: [.copy("Resources")]
        ),
        // `arcface-lessons repl`: a lesson's cells stepped through in one process, Swift typed in its
        // state compiled into libraries that process loads. Over LessonKit's stages (package access).
        .target(name: "LessonRepl", dependencies: ["LessonKit", "LessonRuntime", "CEditLine"]),
        // Thin command line over LessonKit.
        .executableTarget(
            name: "arcface-lessons",
            dependencies: [
                "LessonKit",
                "LessonRepl",
                "Parity",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmarks of the fused ArcFace head and trainer (`make bench`; tools/bench_torch.py compares with PyTorch).
        .executableTarget(name: "arcface-bench", dependencies: ["ArcFaceKit", "ArcFaceKitFast"]),
        // Reference/ holds the PyTorch script and the values it wrote; tests read them via #filePath.
        .testTarget(name: "ArcFaceKitTests", dependencies: ["ArcFaceKit", "ArcFaceKitFast", "CKernels", "CPortableMath"], exclude: ["Reference"]),
        // Fixtures and golden files are read from the source tree (#filePath), so UPDATE_GOLDEN can rewrite them.
        .testTarget(name: "ParityTests", dependencies: ["Parity"], exclude: ["Fixtures"]),
        // Helpers the test targets share: temporary lesson folders, the built tool, headless Chromium.
        // Fixture lessons and golden files live in Tests/Fixtures (read via #filePath, so UPDATE_GOLDEN
        // can rewrite them).
        .target(name: "TestSupport", dependencies: ["LessonKit", "LessonRuntime"], path: "Tests/TestSupport"),
        // Unit tests: no swiftc, no tool process; `swift test --filter LessonKitTests` runs in seconds.
        .testTarget(name: "LessonKitTests", dependencies: ["LessonKit", "LessonRepl", "LessonRuntime", "TestSupport"]),
        // End to end: lessons compiled and run, the built tool, the REPL in sessions, the browser, the
        // shipped course under other BLAS kernels. Minutes; `swift test --skip EndToEndTests` leaves them out.
        .testTarget(name: "EndToEndTests", dependencies: ["LessonKit", "LessonRepl", "LessonRuntime", "TestSupport"]),
        .testTarget(name: "TeXMathMLTests", dependencies: ["TeXMathML"]),
    ]
)
