// The lesson model: the Swift values every stage after Parse works with.

/// A lesson as parsed from `lessons/NN-name.md`.
public struct Lesson: Sendable, Equatable {
    /// Path as given (e.g. `lessons/01-renorm.md`); used in every diagnostic.
    public var path: String
    /// File name without extension (`01-renorm`); the page is `<slug>.html`.
    public var slug: String
    /// Order, from the file-name prefix.
    public var number: Int
    public var title: String
    /// Options from front matter (`timeout: 30`); unknown keys are errors.
    public var options: LessonOptions
    /// The whole Markdown source (front matter blanked out, so line numbers stay those of the file;
    /// each formula replaced by a placeholder, see `MathSpans`).
    public var markdown: String
    /// The formulas of the prose, by placeholder number.
    public var math: [MathSpan] = []
    /// The cross-references (`@tab-x`) and citations (`[@key]`) of the prose, by placeholder number
    /// (`References.placeholder`), in document order.
    public var references: [ProseReference] = []
    /// Top-level blocks in document order.
    public var blocks: [Block]
    /// The lesson's exercises (a `### Exercise ...` heading, a prose prompt, a `swift solution` cell), in order.
    public var exercises: [Exercise] = []
    /// The file's text as loaded (normalised: no BOM, LF line ends): the site's Markdown download.
    public var source: String = ""
    /// The ```python cells that run (`verify --python`), in order; their fences stay in the prose.
    public var pythonCells: [PythonCell] = []

    public var cells: [Cell] {
        blocks.compactMap { if case .cell(let c) = $0 { c } else { nil } }
    }

    /// Every `{swift}` value in the prose, in document order.
    public var inlineExpressions: [InlineExpression] {
        blocks.flatMap { block -> [InlineExpression] in
            if case .prose(let p) = block { return p.inlineExpressions }
            return []
        }
    }
}

public struct LessonOptions: Sendable, Equatable {
    /// CPU-time limit (wall-clock backstop: Subprocess.wallBackstop) for the whole lesson program, in seconds.
    public var timeout: Double?
    /// Default CPU-time limit for each cell of this lesson (`cell_timeout:`).
    public var cellTimeout: Double?
    /// Raw HTML in the prose is kept (`raw_html: true`); by default it is shown escaped.
    public var rawHTML = false
    /// Files the lesson's cells read (`inputs: data/a.csv, data/b.csv`, relative to the lesson's folder),
    /// resolved and with folders expanded to their files; their contents key the cache.
    public var inputs: [String] = []
    public var summary: String?
    public init(timeout: Double? = nil, summary: String? = nil) {
        self.timeout = timeout
        self.summary = summary
    }
}

public enum Block: Sendable, Equatable {
    /// Markdown rendered as it is (headings, paragraphs, lists, listings in other languages, ...).
    case prose(Prose)
    /// A ```swift cell with its expected output, if any.
    case cell(Cell)
}

public struct Prose: Sendable, Equatable {
    /// 1-based line range in the file, inclusive.
    public var lines: ClosedRange<Int>
    /// Inline computed values (`` `{swift} expr` ``) found in this prose; evaluated after the cell
    /// before them. Parsed now, evaluated in a later version of the format.
    public var inlineExpressions: [InlineExpression]
}

/// `` `{swift} expr` `` or `` `{swift} expr ~ 0.4558` `` in prose.
public struct InlineExpression: Sendable, Equatable {
    public var line: Int
    public var column: Int
    public var code: String
    public var expected: String?
}

public struct Cell: Sendable, Equatable {
    /// Position among the lesson's cells, from 0.
    public var index: Int
    /// Line of the opening fence; the code starts on the next line.
    public var fenceLine: Int
    public var codeLine: Int { fenceLine + 1 }
    /// Line of the closing fence.
    public var endLine: Int
    public var code: String
    public var attributes: CellAttributes
    public var expected: Expectation?
    /// With `pair`: the listing shown beside the cell.
    public var pairedListing: Listing?
}

/// A fenced listing in another language (the PyTorch a cell mirrors).
public struct Listing: Sendable, Equatable {
    public var line: Int
    public var language: String
    public var code: String
    /// When the listing is a checked Python cell: its ```output block (shown once when it is the
    /// Swift cell's too).
    public var expected: Expectation? = nil
}

/// A ```python block that runs under `verify --python`: one with an ```output block right after
/// it, or with an attribute (`run`, `hide`, `fold`, `raises`). All of a lesson's Python cells run in order in one
/// Python process. A ```python block that is neither is a listing: shown, never run.
public struct PythonCell: Sendable, Equatable {
    /// Position among the lesson's Python cells, from 0.
    public var index: Int
    public var fenceLine: Int
    public var codeLine: Int { fenceLine + 1 }
    public var endLine: Int
    public var code: String
    public var attributes: PythonAttributes
    public var expected: Expectation?
}

public struct PythonAttributes: Sendable, Equatable {
    /// Runs without an ```output block (set-up: imports, data, functions).
    public var run = false
    /// Runs, and is not shown on the page.
    public var hide = false
    /// Shown folded ("Show code").
    public var fold = false
    /// Must raise: its ```output block ends with the exception's line (`RuntimeError: ...`).
    public var raises = false
    public init() {}
    public static let known = ["run", "hide", "fold", "raises"]
    /// Any attribute makes a ```python block a cell, with or without an ```output block.
    public var makesACell: Bool { run || hide || fold || raises }
}

public struct CellAttributes: Sendable, Equatable {
    /// Run the cell but do not show its code.
    public var hide = false
    /// The cell is expected to trap (fatalError, precondition, index out of range). It runs in a
    /// forked child: it sees the state before it, and what it declares does not reach later cells.
    public var traps = false
    /// Output is shown but not checked (no ```output block needed).
    public var nocheck = false
    /// Do not show the cell's output on the page.
    public var hideOutput = false
    /// CPU-time limit for this cell alone, in seconds (`swift timeout=5`).
    public var timeout: Double?
    /// Shown side by side with the listing right before it (the PyTorch it mirrors).
    public var pair = false
    /// The solution of the exercise whose heading comes before it: checked like any cell, shown
    /// collapsed on the page. It runs in a forked child (like `traps`): it sees the state before it,
    /// and nothing it declares or changes reaches later cells.
    public var solution = false
    /// Show the code folded (a collapsed "Show code" `<details>`), the output as usual.
    public var fold = false

    public init() {}

    /// The cell runs in a forked child of the lesson program (`traps` and `solution` cells).
    public var runsInChild: Bool { traps || solution }

    public static let known = ["hide", "traps", "nocheck", "hide-output", "pair", "solution", "fold", "timeout=SECONDS"]
}

/// An exercise: a heading whose text starts with the word `Exercise`, a prompt in prose, and the
/// `swift solution` cell (with its ```output block) that ends it.
public struct Exercise: Sendable, Equatable {
    /// 1-based among the lesson's exercises.
    public var number: Int
    /// The heading's text (`Exercise: renorm the columns`), formulas as TeX.
    public var title: String
    public var headingLine: Int
    /// The prompt's Markdown, between the heading and the solution (formulas as TeX).
    public var prompt: String
    /// Index of the solution among the lesson's cells.
    public var solutionIndex: Int
}

/// An ```output block: the text a cell must print, numbers compared with tolerance.
public struct Expectation: Sendable, Equatable {
    public var fenceLine: Int
    public var textLine: Int { fenceLine + 1 }
    public var text: String
    public var tolerance: Tolerance
}

/// How numbers compare: |actual - expected| <= abs + rel * |expected|. When neither is given,
/// each expected number is compared to the precision it is written with (`0.4558` means +-0.00005).
public struct Tolerance: Sendable, Equatable {
    public var abs: Double?
    public var rel: Double?
    public init(abs: Double? = nil, rel: Double? = nil) {
        self.abs = abs
        self.rel = rel
    }
    public var isExplicit: Bool { abs != nil || rel != nil }
}
