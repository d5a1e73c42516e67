// Site: writes the rendered files into a fresh folder and swaps it in, so that a failed or killed
// build never leaves a half-written site.

import Foundation

public enum Site {
    public static func write(_ files: [String: String], to out: String) throws {
        let fm = FileManager.default
        let url = URL(fileURLWithPath: out).standardizedFileURL
        let parent = url.deletingLastPathComponent().path, name = url.lastPathComponent
        try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let staging = "\(parent)/.\(name).building-\(getpid())"
        let old = "\(parent)/.\(name).old-\(getpid())"
        try? fm.removeItem(atPath: staging)
        do {
            for (path, content) in files.sorted(by: { $0.key < $1.key }) {
                let target = URL(fileURLWithPath: staging + "/" + path).standardizedFileURL
                guard target.path.hasPrefix(staging + "/") else {
                    throw Diagnostic(stage: .write, file: nil, "refusing to write '\(path)' outside the site folder")
                }
                try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(content.utf8).write(to: target)
            }
            if fm.fileExists(atPath: url.path) {
                try fm.moveItem(atPath: url.path, toPath: old)
                do { try fm.moveItem(atPath: staging, toPath: url.path) } catch {
                    try? fm.moveItem(atPath: old, toPath: url.path)
                    throw error
                }
                try? fm.removeItem(atPath: old)
            } else {
                try fm.moveItem(atPath: staging, toPath: url.path)
            }
        } catch {
            try? fm.removeItem(atPath: staging)
            throw error
        }
    }
}
