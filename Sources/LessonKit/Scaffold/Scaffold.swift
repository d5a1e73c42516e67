// Scaffold: `arcface-lessons init [DIR]`, a new course that passes `verify` at once: course.yml, one
// lesson (a cell, its checked output, a checked prose value, a plot), a CI workflow, .gitignore.
// It writes only files that do not exist yet, and nothing when one of them does.

import Foundation

public enum Scaffold {
    /// The files of a new course, by path relative to its folder.
    static func files(title: String) -> [(path: String, text: String)] {
        [
            ("course.yml", """
                # The course's settings (README "Writing your own course"). Folders are relative to this file.
                title: \(yamlQuoted(title))
                description: A course whose every number is computed and checked.
                language: en
                lessons: lessons
                output: site

                """),
            ("lessons/01-first-steps.md", #"""
                ---
                title: First steps
                summary: A cell, its checked output, a checked value in the prose, and a plot.
                ---
                Every Swift cell runs, in order, in one program; the block after it is what it must
                print (numbers within the precision they are written with).

                ```swift
                let x = Tensor([[3.0, 4.0], [6.0, 8.0]])
                let norms = x.norm(dim: 1)
                print(norms)
                ```

                ```output
                tensor([ 5., 10.])
                ```

                A value in the prose is computed too, and checked: the first row's norm is
                `{swift} norms[0] ~ 5.0`.

                ```swift
                let t = (0...20).map { Double($0) / 20 }
                show(Plot(title: "cos(πt)", xLabel: "t", yLabel: "cos",
                          series: [Series("cos", x: t, y: t.map { cos(Double.pi * $0) })]))
                ```

                Change a number above and run `arcface-lessons verify`: it fails at that line.

                """#),
            (".github/workflows/course.yml", """
                # Verify every lesson on each push and pull request; on main, build the site and publish it
                # to GitHub Pages. Failures appear as annotations at their file:line (GITHUB_ACTIONS=true).
                name: course
                on: [push, pull_request]
                jobs:
                  verify:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: actions/checkout@v4
                      - uses: swift-actions/setup-swift@v2
                        with: { swift-version: "6.1" }
                      - name: Install arcface-lessons
                        run: |
                          sudo apt-get install -y libcmark-gfm-dev libcmark-gfm-extensions-dev libedit-dev pkg-config
                          git clone --depth 1 https://github.com/arcface-lessons/arcface-lessons.git /tmp/arcface-lessons
                          make -C /tmp/arcface-lessons install PREFIX="$HOME/.local"
                      - uses: actions/cache@v4
                        with: { path: .lessons-cache, key: "lessons-${{ hashFiles('lessons/**') }}", restore-keys: lessons- }
                      - run: ~/.local/bin/arcface-lessons verify --junit verify.xml
                      - run: ~/.local/bin/arcface-lessons build
                      - uses: actions/upload-pages-artifact@v3
                        if: github.ref == 'refs/heads/main'
                        with: { path: site }
                  deploy:
                    if: github.ref == 'refs/heads/main'
                    needs: verify
                    runs-on: ubuntu-latest
                    permissions: { pages: write, id-token: write }
                    environment: { name: github-pages }
                    steps:
                      - uses: actions/deploy-pages@v4

                """),
            (".gitignore", ".lessons-cache/\n"),
        ]
    }

    /// Writes a new course into `directory` (created if missing). Refuses, writing nothing, when any
    /// of its files exists already. Returns the paths written.
    public static func create(in directory: String, title: String? = nil) throws -> [String] {
        let fm = FileManager.default
        let name = URL(fileURLWithPath: directory).standardizedFileURL.lastPathComponent
        let files = files(title: title ?? (name.isEmpty || name == "/" ? "My course" : name))
        let existing = files.map(\.path).filter { fm.fileExists(atPath: directory + "/" + $0) }
        guard existing.isEmpty else {
            throw EnvironmentError("'\(directory)' already has \(existing.joined(separator: ", ")): init writes only a new course",
                                   hint: "run it in an empty folder, or give a new one: arcface-lessons init my-course")
        }
        var written: [String] = []
        for file in files {
            let path = directory + "/" + file.path
            do {
                try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(file.text.utf8).write(to: URL(fileURLWithPath: path), options: .withoutOverwriting)
            } catch {
                throw EnvironmentError("cannot write '\(path)': \(Load.reason(error))")
            }
            written.append(path)
        }
        return written
    }

    static func yamlQuoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
