// Toolchain: where swiftc and the built libraries (ArcFaceKit, LessonRuntime) are, and the flags a
// lesson program compiles with.

import Foundation

public struct Toolchain: Sendable {
    public var swiftc: String
    /// The build folder holding libArcFaceKit.so, libLessonRuntime.so and their Modules/*.swiftmodule.
    public var kitDirectory: String
    /// Folders of C module maps that ArcFaceKit imports; the cell compile needs them too (measured).
    public var moduleMapDirectories: [String]
    public var optimize: Bool

    public init(swiftc: String, kitDirectory: String, moduleMapDirectories: [String] = [], optimize: Bool = false) {
        self.swiftc = swiftc
        self.kitDirectory = kitDirectory
        self.moduleMapDirectories = moduleMapDirectories
        self.optimize = optimize
    }

    /// Finds the toolchain: `ARCFACE_KIT_DIR` or the folder of the running executable (where
    /// `swift build` puts both the tool and the library), and `SWIFTC` or swiftc on PATH.
    public static func discover(kitDirectory: String? = nil) throws -> Toolchain {
        let env = ProcessInfo.processInfo.environment
        guard let swiftc = Subprocess.which(env["SWIFTC"] ?? "swiftc") else {
            throw EnvironmentError("no Swift compiler found (swiftc is not on PATH)",
                                   hint: "install Swift 6 or set SWIFTC to the compiler's path")
        }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let dir = kitDirectory ?? env["ARCFACE_KIT_DIR"] ?? (exe as NSString).deletingLastPathComponent
        for library in linkedLibraries {
            let lib = dir + "/lib\(library).so"
            let module = dir + "/Modules/\(library).swiftmodule"
            guard FileManager.default.fileExists(atPath: lib), FileManager.default.fileExists(atPath: module) else {
                throw EnvironmentError("\(library) is not built (no \(lib) with \(module))",
                                       hint: "run `swift build` (make does it; `swift run` builds only the tool), or pass --kit DIR (ARCFACE_KIT_DIR)")
            }
        }
        return Toolchain(swiftc: swiftc, kitDirectory: dir, moduleMapDirectories: moduleMaps(near: dir))
    }

    /// The dynamic libraries every lesson program links: the numeric library and the cells' runtime.
    static let linkedLibraries = ["ArcFaceKit", "LessonRuntime"]

    /// C module maps the kit's modules import: in an installed kit `<kit>/include/*/module.modulemap`
    /// (scripts/install.sh puts them there); in a build folder, those of the package that built it,
    /// `<root>/Sources/*/module.modulemap` (system libraries) and `<root>/Sources/*/include/module.modulemap`
    /// (C targets).
    static func moduleMaps(near directory: String) -> [String] {
        let installed = directory + "/include"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: installed)) ?? []
        let maps = names.sorted().map { installed + "/" + $0 }.filter { FileManager.default.fileExists(atPath: $0 + "/module.modulemap") }
        if !maps.isEmpty { return maps }
        var url = URL(fileURLWithPath: directory)
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                let sources = url.appendingPathComponent("Sources")
                let names = (try? FileManager.default.contentsOfDirectory(atPath: sources.path)) ?? []
                return names.sorted().flatMap { name -> [String] in
                    let dir = sources.appendingPathComponent(name).path
                    return [dir, dir + "/include"].filter { FileManager.default.fileExists(atPath: $0 + "/module.modulemap") }
                }
            }
            url.deleteLastPathComponent()
        }
        return []
    }

    /// swiftc arguments that compile `source` into `output` linked against ArcFaceKit and LessonRuntime.
    package func compileArguments(source: String, output: String, moduleCache: String) -> [String] {
        var args = [swiftc, source, "-o", output,
                    // Swift 5 mode: top-level lesson state is shared by design; strict concurrency would only add noise.
                    "-swift-version", "5",
                    optimize ? "-O" : "-Onone",
                    "-suppress-warnings", "-diagnostic-style", "llvm",
                    "-module-cache-path", moduleCache,
                    "-I", kitDirectory + "/Modules", "-L", kitDirectory]
            + Toolchain.linkedLibraries.map { "-l" + $0 }
            + ["-Xlinker", "-rpath", "-Xlinker", kitDirectory]
        for dir in moduleMapDirectories { args += ["-I", dir] }
        return args
    }
}
