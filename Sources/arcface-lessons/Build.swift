// `arcface-lessons build`: verify, then write the site.

import ArgumentParser
import LessonKit

extension ArcFaceLessons {
    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run and check every lesson, then write the site; on any failure the old site stays untouched.",
            discussion: "Naming lessons (`build 04`) is a quick preview: only they run, and their pages replace theirs in the site; the other pages stay as the last full build wrote them.")

        @OptionGroup var common: Common

        @Option(name: .long, help: "Folder to write the site into (default: course.yml's `output`, else site): new, empty, or a site build wrote (it carries .arcface-lessons-site); a symlink is followed.")
        var out: String?

        @Argument(help: "Lessons to rebuild alone, by file, slug or number (default: the whole course).")
        var files: [String] = []

        func run() throws {
            ToolSignals.install()
            let config = common.config()
            var options = common.options(config)
            options.files = files
            try finish(common) { try Pipeline.build(options, out: out ?? config.output, toolchain: $0, log: progressLog) }
        }
    }
}
