// `arcface-lessons build`: verify, then write the site.

import ArgumentParser
import LessonKit

extension ArcFaceLessons {
    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run and check every lesson, then write the site; on any failure the old site stays untouched.")

        @OptionGroup var common: Common

        @Option(name: .long, help: "Folder to write the site into (default: course.yml's `output`, else site): new, empty, or a site build wrote (it carries .arcface-lessons-site); a symlink is followed.")
        var out: String?

        func run() throws {
            ToolSignals.install()
            let config = common.config()
            let options = common.options(config)
            try finish(common) { try Pipeline.build(options, out: out ?? config.output, toolchain: $0, log: progressLog) }
        }
    }
}
