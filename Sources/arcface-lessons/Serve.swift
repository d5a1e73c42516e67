// `arcface-lessons serve`: build, serve the site from memory on 127.0.0.1, rebuild on every change
// and reload the open pages; failing checks are drawn on the pages (a draft) instead of blocking them.

import ArgumentParser
import Foundation
import LessonKit

extension ArcFaceLessons {
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build the site, serve it on 127.0.0.1 and rebuild it (reloading open pages) whenever a lesson, an input or course.yml changes.",
            discussion: """
                Failing checks do not block a page here: it shows each failure where it is and lists them in a banner \
                (`build` stays strict). The site folder is never written. Ctrl-C stops it (exit 130).
                """)

        @OptionGroup var common: Common

        @Option(name: .long, help: "Port on 127.0.0.1 (default: 3000, or the next free one; 0: any free port).")
        var port: Int?

        @Flag(name: .long, help: "Open the site in the browser ($BROWSER, else xdg-open).")
        var open = false

        @Argument(help: "Lessons to serve (default: all in --lessons).")
        var files: [String] = []

        func validate() throws {
            if let port, !(0...65535).contains(port) { throw ValidationError("--port must be from 0 to 65535, got \(port)") }
        }

        func run() throws {
            ToolSignals.install()
            let first = common.config()
            let configFile = first.file ?? CourseConfig.find(from: FileManager.default.currentDirectoryPath)
            let (common, files) = (self.common, self.files)
            do {
                let toolchain = try Toolchain.discover(kitDirectory: common.kit)
                var isFirst = true
                try LessonKit.Serve.run(.init(port: port.map { UInt16($0) }, open: open), toolchain: toolchain, configFile: configFile,
                                        runOptions: {
                    // course.yml again on each rebuild (not the first: it was just read).
                    let config = isFirst ? first : try CourseConfig.discover()
                    isFirst = false
                    var options = common.options(config)
                    options.files = files
                    return options
                }, log: progressLog)
            } catch let d as Diagnostic {
                FileHandle.standardError.write(Data(("\(d)\n").visibleControls().utf8))
                Foundation.exit(1)
            } catch {
                environmentFailure(error)
            }
        }
    }
}
