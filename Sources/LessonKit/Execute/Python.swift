// Python: runs a lesson's ```python cells (`verify --python`) in one Python process, in order, as
// notebook cells: shared globals, the last expression's repr printed. The interpreter must import
// torch; without one, the cells are counted as skipped, not failed.

import Foundation
import LessonRuntime

/// What one Python cell did.
public struct PythonCellResult: Sendable, Equatable, Codable {
    public var index: Int
    /// What it printed (stdout and stderr, in order), and for a raised exception its last traceback
    /// line (`RuntimeError: ...`), as the ```output block of a `raises` cell holds it.
    public var output: String
    /// The exception's line (`ValueError: bad`), nil when the cell completed.
    public var exception: String?
    /// The lesson line the traceback points at (its innermost frame in the lesson), if any.
    public var line: Int?
    /// The traceback, frames in the lesson only.
    public var traceback: String?
}

public struct PythonRun: Sendable, Equatable {
    public var cells: [PythonCellResult]
    /// Set when the process ended before every cell reported (killed at the lesson's limit, crashed).
    public var failure: String?
    public var seconds: Double
}

public enum Python {
    /// The interpreter `verify --python` uses, in order: `--python-interpreter`, `$ARCFACE_PYTHON`,
    /// an active virtual environment, the course's `.venv/`, `python3` on PATH.
    public static func interpreter(explicit: String?, courseRoot: String) -> String {
        let env = ProcessInfo.processInfo.environment
        if let explicit, !explicit.isEmpty { return explicit }
        if let p = env["ARCFACE_PYTHON"], !p.isEmpty { return p }
        if let v = env["VIRTUAL_ENV"], FileManager.default.isExecutableFile(atPath: v + "/bin/python") { return v + "/bin/python" }
        let venv = courseRoot + "/.venv/bin/python"
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        return "python3"
    }

    /// The torch version the interpreter imports, or why it cannot be used.
    public static func probe(_ interpreter: String) -> Result<String, EnvironmentError> {
        guard let path = Subprocess.which(interpreter) else {
            return .failure(EnvironmentError("no Python interpreter '\(interpreter)'",
                                             hint: "install PyTorch in a virtual environment (make torch) or pass --python-interpreter PATH"))
        }
        let code = "import sys, torch; sys.stdout.write(torch.__version__)"
        guard let r = try? Subprocess.run([path, "-c", code], timeout: 120) else {
            return .failure(EnvironmentError("cannot start \(path)"))
        }
        let text = String(decoding: r.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard r.termination == .exited(0), !text.isEmpty else {
            let last = text.split(separator: "\n").last.map(String.init) ?? "exit \(r.termination)"
            return .failure(EnvironmentError("\(interpreter) cannot import torch (\(last))",
                                             hint: "make torch installs it into .venv/; or pass --python-interpreter PATH"))
        }
        return .success(text.split(separator: "\n").last.map(String.init) ?? text)
    }

    /// Runs the lesson's Python cells in one process with the lesson's CPU-time limit.
    public static func run(_ lesson: Lesson, interpreter: String, limit: Double, workDirectory: String) throws -> PythonRun {
        let nonce = Record.makeNonce()
        let spec: [String: Any] = [
            "path": lesson.path, "nonce": nonce,
            "cells": lesson.pythonCells.map { ["line": $0.codeLine, "code": $0.code] as [String: Any] },
        ]
        let specFile = workDirectory + "/\(lesson.slug)-python.json"
        try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: specFile))
        let path = Subprocess.which(interpreter) ?? interpreter
        var env = ProcessInfo.processInfo.environment
        // Output as the cells print it, unbuffered; no .pyc files next to the lesson; the lesson's
        // folder for the files it reads.
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONHASHSEED"] = "0"
        let folder = (lesson.path as NSString).deletingLastPathComponent
        env["ARCFACE_LESSON_DIR"] = URL(fileURLWithPath: folder.isEmpty ? "." : folder).standardizedFileURL.path
        // The driver as `-c` text: lessons running at once share no file but their own spec.
        let r = try Subprocess.run([path, "-X", "utf8", "-c", driver, specFile], environment: env,
                                   timeout: Subprocess.wallBackstop(limit), cpuTimeout: limit)
        let text = String(decoding: r.output, as: UTF8.self)
        var cells: [PythonCellResult] = []
        let decoder = JSONDecoder()
        for line in text.split(separator: "\n") where line.hasPrefix(nonce + " ") {
            if let c = try? decoder.decode(PythonCellResult.self, from: Data(line.dropFirst(nonce.count + 1).utf8)) { cells.append(c) }
        }
        var failure: String?
        if cells.count < lesson.pythonCells.count {
            switch r.termination {
            case .timedOut: failure = "the Python cells did not finish within \(Compare.format(limit)) s of CPU time"
            case .stalled: failure = "the Python cells waited \(Compare.format(Subprocess.wallBackstop(limit))) s without finishing"
            case .outputLimit: failure = "the Python cells printed more than \(16) MiB"
            default:
                let stray = text.split(separator: "\n").filter { !$0.hasPrefix(nonce) }.suffix(4).joined(separator: "\n")
                failure = "the Python process ended (\(r.termination)) before every cell ran" + (stray.isEmpty ? "" : ":\n" + stray)
            }
        }
        return PythonRun(cells: cells, failure: failure, seconds: r.seconds)
    }

    /// `run`, reusing the result of the same cells (code and lines), interpreter, torch, limit and
    /// inputs from `cacheDirectory`; a run that did not finish is not kept.
    public static func cachedRun(_ lesson: Lesson, interpreter: String, torch: String, limit: Double, workDirectory: String,
                                 cacheDirectory: String?) throws -> PythonRun {
        var h = SHA256()
        h.update(string: "arcface-lessons python v1\n\(Subprocess.which(interpreter) ?? interpreter)\n\(torch)\n\(limit)\n\(lesson.path)\n")
        for c in lesson.pythonCells { h.update(string: "cell \(c.codeLine) \(c.code.utf8.count)\n\(c.code)\n") }
        for input in lesson.options.inputs.sorted() {
            h.update(string: "input \(input)\n")
            h.update(data: FileManager.default.contents(atPath: input) ?? Data())
        }
        let file = cacheDirectory.map { "\($0)/\(SHA256.hex(digest: h.finalize())).json" }
        if let file, let data = FileManager.default.contents(atPath: file),
           let cells = try? JSONDecoder().decode([PythonCellResult].self, from: data) {
            return PythonRun(cells: cells, failure: nil, seconds: 0)
        }
        let run = try run(lesson, interpreter: interpreter, limit: limit, workDirectory: workDirectory)
        if let file, let cacheDirectory, run.failure == nil, let data = try? JSONEncoder().encode(run.cells) {
            try? FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
            try? data.write(to: URL(fileURLWithPath: file), options: .atomic)
        }
        return run
    }

    /// Runs each cell as a notebook does. Line numbers are the lesson's: each cell's code is parsed
    /// with as many newlines in front as lines come before it, under the lesson's path.
    static let driver = #"""
    import ast, contextlib, io, json, sys, traceback, warnings

    spec = json.load(open(sys.argv[1], encoding="utf-8"))
    path, nonce = spec["path"], spec["nonce"]
    real_stdout = sys.stdout
    # Warnings as `UserWarning: message`, without the machine's paths to torch's files.
    warnings.formatwarning = lambda message, category, *args, **kwargs: f"{category.__name__}: {message}\n"
    sys.argv = [path]
    scope = {"__name__": "__main__", "__builtins__": __builtins__}

    def lesson_frames(tb):
        return [f for f in traceback.extract_tb(tb) if f.filename == path]

    for index, cell in enumerate(spec["cells"]):
        buffer = io.StringIO()
        exception = line = tb_text = None
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            try:
                tree = ast.parse("\n" * (cell["line"] - 1) + cell["code"], filename=path)
                last = None
                if tree.body and isinstance(tree.body[-1], ast.Expr):
                    last = ast.Expression(tree.body.pop().value)
                exec(compile(tree, path, "exec"), scope)
                if last is not None:
                    value = eval(compile(last, path, "eval"), scope)
                    if value is not None:
                        print(repr(value))
            except BaseException as e:
                exception = traceback.format_exception_only(type(e), e)[-1].rstrip("\n")
                frames = lesson_frames(e.__traceback__)
                if isinstance(e, SyntaxError) and e.filename == path:
                    line = e.lineno
                elif frames:
                    line = frames[-1].lineno
                tb_text = "".join(traceback.format_list(frames))
        sys.stdout.flush()
        output = buffer.getvalue()
        if exception is not None:
            output += ("" if output == "" or output.endswith("\n") else "\n") + exception + "\n"
        record = {"index": index, "output": output, "exception": exception, "line": line, "traceback": tb_text}
        real_stdout.write(nonce + " " + json.dumps(record) + "\n")
        real_stdout.flush()
    """#
}
