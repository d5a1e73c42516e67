// An installed tool (scripts/install.sh, what `make install` runs) builds a course in a folder with
// no checkout around: it finds the kit, its module maps and the site's front end relative to itself.

import Foundation
import Testing
@testable import LessonKit
@testable import TestSupport

@Suite(.serialized) struct InstallTests {
    @Test func anInstalledToolVerifiesAndBuildsACourseOutsideTheRepository() throws {
        let prefix = try Pipeline.temporaryDirectory()
        let course = try Support.project(["01-basics.md": String(contentsOf: Support.fixtures.appendingPathComponent("basics/lessons/01-basics.md"), encoding: .utf8)])
        defer { try? FileManager.default.removeItem(atPath: prefix); try? FileManager.default.removeItem(atPath: course) }
        let build = try Support.toolchain().kitDirectory
        let install = try Support.run(["/bin/bash", Support.repositoryRoot.path + "/scripts/install.sh", prefix + "/usr", build], in: prefix)
        #expect(install.status == 0, "\(install.output)")
        let tool = prefix + "/usr/bin/arcface-lessons"
        for file in ["lib/arcface-lessons/libArcFaceKit.so", "lib/arcface-lessons/libLessonRuntime.so",
                     "lib/arcface-lessons/Modules/ArcFaceKit.swiftmodule", "lib/arcface-lessons/include/CPortableMath/module.modulemap"] {
            #expect(FileManager.default.fileExists(atPath: prefix + "/usr/" + file), "\(file)")
        }
        // Nothing may point back at the build: no kit variable, and the course is outside the package.
        let verify = try Support.run(["/usr/bin/env", "-u", "ARCFACE_KIT_DIR", tool, "verify", "--no-cache"], in: course)
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("5 passed, 0 failed"), "\(verify.output)")
        let site = try Support.run(["/usr/bin/env", "-u", "ARCFACE_KIT_DIR", tool, "build", "--no-cache", "--out", "site"], in: course)
        #expect(site.status == 0, "\(site.output)")
        let page = try String(contentsOfFile: course + "/site/01-basics.html", encoding: .utf8)
        #expect(page.contains("<table"), "the page is rendered with its table")
        #expect(FileManager.default.fileExists(atPath: course + "/site/style.css"))
    }

    @Test func initWritesACourseThatTheInstalledToolVerifiesAndBuildsAtOnce() throws {
        let prefix = try Pipeline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        let install = try Support.run(["/bin/bash", Support.repositoryRoot.path + "/scripts/install.sh", prefix, try Support.toolchain().kitDirectory], in: prefix)
        #expect(install.status == 0, "\(install.output)")
        let tool = ["/usr/bin/env", "-u", "ARCFACE_KIT_DIR", prefix + "/bin/arcface-lessons"]
        let made = try Support.run(tool + ["init", "course", "--title", "Margins"], in: prefix)
        #expect(made.status == 0, "\(made.output)")
        let course = prefix + "/course"
        for file in ["course.yml", "lessons/01-first-steps.md", ".github/workflows/course.yml", ".gitignore"] {
            #expect(FileManager.default.fileExists(atPath: course + "/" + file), "\(file)")
        }
        #expect(try String(contentsOfFile: course + "/course.yml", encoding: .utf8).contains("title: \"Margins\""))
        let verify = try Support.run(tool + ["verify", "--no-cache"], in: course)
        #expect(verify.status == 0 && verify.output.contains("2 passed, 0 failed"), "\(verify.output)")
        let build = try Support.run(tool + ["build"], in: course + "/lessons")
        #expect(build.status == 0, "\(build.output)")
        #expect(FileManager.default.fileExists(atPath: course + "/site/01-first-steps.html"))
        // Again: refused, nothing overwritten.
        try "changed\n".write(toFile: course + "/lessons/01-first-steps.md", atomically: true, encoding: .utf8)
        let again = try Support.run(tool + ["init", "course"], in: prefix)
        #expect(again.status == 2 && again.output.contains("already has course.yml, lessons/01-first-steps.md"), "\(again.output)")
        #expect(try String(contentsOfFile: course + "/lessons/01-first-steps.md", encoding: .utf8) == "changed\n")
    }

    @Test func aToolWithoutItsKitSaysWhatToBuild() throws {
        let dir = try Pipeline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Support.tool, toPath: dir + "/arcface-lessons")
        let course = try Support.project(["01-basics.md": "# B\n"])
        defer { try? FileManager.default.removeItem(atPath: course) }
        let r = try Support.run(["/usr/bin/env", "-u", "ARCFACE_KIT_DIR", dir + "/arcface-lessons", "verify"], in: course)
        #expect(r.status == 2, "\(r.output)")
        #expect(r.output.contains("ArcFaceKit is not built") && r.output.contains("run `swift build`"), "\(r.output)")
    }
}
