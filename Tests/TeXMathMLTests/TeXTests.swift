// TeX to MathML Core: exact output for the formulas the lessons use, the errors with their offsets,
// well-formed XML from only MathML Core elements, and no crash on any input.

import Foundation
import FoundationXML
import Testing
@testable import TeXMathML

// XMLParser is not known to be safe to run on several threads at once.
@Suite(.serialized) struct TeXTests {
    struct Golden: Sendable, CustomTestStringConvertible {
        var tex: String
        var display: Bool
        /// The content of `<semantics>` before the annotation.
        var body: String

        init(_ tex: String, display: Bool, _ body: String) {
            self.tex = tex
            self.display = display
            self.body = body
        }

        var testDescription: String { (display ? "display " : "inline ") + tex }
    }

    /// The whole expected output: the golden body in its wrapper, with the source as annotation.
    static func expected(_ tex: String, display: Bool, _ body: String) -> String {
        let escaped = tex.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        return (display ? "<math display=\"block\">" : "<math>") + "<semantics>" + body
            + "<annotation encoding=\"application/x-tex\">" + escaped + "</annotation></semantics></math>"
    }

    static func check(_ tex: String, display: Bool, _ body: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let output = try TeX.mathML(tex, display: display)
        #expect(output == expected(tex, display: display, body), sourceLocation: sourceLocation)
        #expect(XMLCheck.problems(output) == [], sourceLocation: sourceLocation)
    }

    // MARK: The formulas of the ArcFace lessons

    static let arcFace = ##"L = -\frac{1}{N}\sum_{i=1}^{N}\log\frac{e^{s\cos(\theta_{y_i}+m)}}{e^{s\cos(\theta_{y_i}+m)}+\sum_{j\ne y_i}e^{s\cos\theta_j}}"##

    @Test func arcFaceLossInDisplayModeUsesLimitsOnTheOuterSumAndSideScriptsInsideTheFraction() throws {
        try Self.check(Self.arcFace, display: true,
                       ##"<mrow><mi>L</mi><mo>=</mo><mo form="prefix">−</mo><mfrac><mn>1</mn><mi>N</mi></mfrac><munderover><mo>∑</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mi>N</mi></munderover><mi>log</mi><mo rspace="0.1667em">&#x2061;</mo><mfrac><msup><mi>e</mi><mrow><mi>s</mi><mspace width="0.1667em"></mspace><mi>cos</mi><mo>&#x2061;</mo><mo stretchy="false">(</mo><msub><mi>θ</mi><msub><mi>y</mi><mi>i</mi></msub></msub><mo>+</mo><mi>m</mi><mo stretchy="false">)</mo></mrow></msup><mrow><msup><mi>e</mi><mrow><mi>s</mi><mspace width="0.1667em"></mspace><mi>cos</mi><mo>&#x2061;</mo><mo stretchy="false">(</mo><msub><mi>θ</mi><msub><mi>y</mi><mi>i</mi></msub></msub><mo>+</mo><mi>m</mi><mo stretchy="false">)</mo></mrow></msup><mo>+</mo><msub><mo>∑</mo><mrow><mi>j</mi><mo>≠</mo><msub><mi>y</mi><mi>i</mi></msub></mrow></msub><msup><mi>e</mi><mrow><mi>s</mi><mspace width="0.1667em"></mspace><mi>cos</mi><mo rspace="0.1667em">&#x2061;</mo><msub><mi>θ</mi><mi>j</mi></msub></mrow></msup></mrow></mfrac></mrow>"##)
    }

    @Test func normWithSubscriptKeepsItsBarsUnstretchedAndUnspaced() throws {
        try Self.check(##"\|x\|_2"##, display: false,
                       ##"<mrow><mo stretchy="false" lspace="0" rspace="0">‖</mo><mi>x</mi><msub><mo stretchy="false" lspace="0" rspace="0">‖</mo><mn>2</mn></msub></mrow>"##)
    }

    @Test func cosineOfASumAppliesTheFunctionWithoutAThinSpaceBeforeTheParenthesis() throws {
        try Self.check(##"\cos(\theta + m)"##, display: false,
                       ##"<mrow><mi>cos</mi><mo>&#x2061;</mo><mo stretchy="false">(</mo><mi>θ</mi><mo>+</mo><mi>m</mi><mo stretchy="false">)</mo></mrow>"##)
    }

    @Test func transposeIsASuperscriptTopSymbol() throws {
        try Self.check(##"W^\top x"##, display: false,
                       ##"<mrow><msup><mi>W</mi><mi>⊤</mi></msup><mi>x</mi></mrow>"##)
    }

    @Test func textIsMtextAndTheSubscriptAttachesToTheClosingParenthesis() throws {
        try Self.check(##"\text{softmax}(z)_j"##, display: false,
                       ##"<mrow><mtext>softmax</mtext><mo stretchy="false">(</mo><mi>z</mi><msub><mo stretchy="false">)</mo><mi>j</mi></msub></mrow>"##)
    }

    @Test func cosFaceBoundPutsAThinSpaceBetweenAFractionAndLog() throws {
        try Self.check(##"s \ge \frac{C-1}{C}\log\frac{(C-1)P}{1-P}"##, display: true,
                       ##"<mrow><mi>s</mi><mo>≥</mo><mfrac><mrow><mi>C</mi><mo>−</mo><mn>1</mn></mrow><mi>C</mi></mfrac><mspace width="0.1667em"></mspace><mi>log</mi><mo rspace="0.1667em">&#x2061;</mo><mfrac><mrow><mo stretchy="false">(</mo><mi>C</mi><mo>−</mo><mn>1</mn><mo stretchy="false">)</mo><mi>P</mi></mrow><mrow><mn>1</mn><mo>−</mo><mi>P</mi></mrow></mfrac></mrow>"##)
    }

    @Test func piecewiseTargetLogitWithAFallbackCaseIsATableInAStretchyBrace() throws {
        try Self.check(##"\psi(\theta_{y_i}) = \begin{cases} \cos(\theta_{y_i} + m) & \text{if } \theta_{y_i} + m < \pi \\ \cos\theta_{y_i} - m\sin m & \text{otherwise} \end{cases}"##, display: true,
                       ##"<mrow><mi>ψ</mi><mo stretchy="false">(</mo><msub><mi>θ</mi><msub><mi>y</mi><mi>i</mi></msub></msub><mo stretchy="false">)</mo><mo>=</mo><mrow><mo stretchy="true">{</mo><mtable displaystyle="false"><mtr><mtd style="text-align: left"><mi>cos</mi><mo>&#x2061;</mo><mo stretchy="false">(</mo><msub><mi>θ</mi><msub><mi>y</mi><mi>i</mi></msub></msub><mo>+</mo><mi>m</mi><mo stretchy="false">)</mo></mtd><mtd style="text-align: left"><mtext>if&#xA0;</mtext><msub><mi>θ</mi><msub><mi>y</mi><mi>i</mi></msub></msub><mo>+</mo><mi>m</mi><mo>&lt;</mo><mi>π</mi></mtd></mtr><mtr><mtd style="text-align: left"><mi>cos</mi><mo rspace="0.1667em">&#x2061;</mo><msub><mi>θ</mi><msub><mi>y</mi><mi>i</mi></msub></msub><mo>−</mo><mi>m</mi><mspace width="0.1667em"></mspace><mi>sin</mi><mo rspace="0.1667em">&#x2061;</mo><mi>m</mi></mtd><mtd style="text-align: left"><mtext>otherwise</mtext></mtd></mtr></mtable></mrow></mrow>"##)
    }

    @Test func sumHasLimitsUnderAndOverInDisplayModeAndAtTheSideInline() throws {
        try Self.check(##"\sum_{j}^{C} e^{z_j}"##, display: true,
                       ##"<mrow><munderover><mo>∑</mo><mi>j</mi><mi>C</mi></munderover><msup><mi>e</mi><msub><mi>z</mi><mi>j</mi></msub></msup></mrow>"##)
        try Self.check(##"\sum_{j}^{C} e^{z_j}"##, display: false,
                       ##"<mrow><msubsup><mo>∑</mo><mi>j</mi><mi>C</mi></msubsup><msup><mi>e</mi><msub><mi>z</mi><mi>j</mi></msub></msup></mrow>"##)
    }

    @Test func maxHasItsSubscriptUnderneathOnlyInDisplayMode() throws {
        try Self.check(##"\max_{j \ne y} \cos\theta_j"##, display: true,
                       ##"<mrow><munder><mi>max</mi><mrow><mi>j</mi><mo>≠</mo><mi>y</mi></mrow></munder><mo rspace="0.1667em">&#x2061;</mo><mi>cos</mi><mo rspace="0.1667em">&#x2061;</mo><msub><mi>θ</mi><mi>j</mi></msub></mrow>"##)
        try Self.check(##"\max_{j \ne y} \cos\theta_j"##, display: false,
                       ##"<mrow><msub><mi>max</mi><mrow><mi>j</mi><mo>≠</mo><mi>y</mi></mrow></msub><mo rspace="0.1667em">&#x2061;</mo><mi>cos</mi><mo rspace="0.1667em">&#x2061;</mo><msub><mi>θ</mi><mi>j</mi></msub></mrow>"##)
    }

    static let goldens: [Golden] = [
        Golden(##"x_i^2 + e^{s\cos\theta}"##, display: false,
               ##"<mrow><msubsup><mi>x</mi><mi>i</mi><mn>2</mn></msubsup><mo>+</mo><msup><mi>e</mi><mrow><mi>s</mi><mspace width="0.1667em"></mspace><mi>cos</mi><mo rspace="0.1667em">&#x2061;</mo><mi>θ</mi></mrow></msup></mrow>"##),
        Golden(##"f'(x) = \lim_{h \to 0} \frac{f(x + h) - f(x)}{h}"##, display: false,
               ##"<mrow><msup><mi>f</mi><mo>′</mo></msup><mo stretchy="false">(</mo><mi>x</mi><mo stretchy="false">)</mo><mo>=</mo><msub><mi>lim</mi><mrow><mi>h</mi><mo>→</mo><mn>0</mn></mrow></msub><mo rspace="0.1667em">&#x2061;</mo><mfrac><mrow><mi>f</mi><mo stretchy="false">(</mo><mi>x</mi><mo>+</mo><mi>h</mi><mo stretchy="false">)</mo><mo>−</mo><mi>f</mi><mo stretchy="false">(</mo><mi>x</mi><mo stretchy="false">)</mo></mrow><mi>h</mi></mfrac></mrow>"##),
        Golden(##"{}^2H + x''"##, display: false,
               ##"<mrow><msup><mrow></mrow><mn>2</mn></msup><mi>H</mi><mo>+</mo><msup><mi>x</mi><mo>″</mo></msup></mrow>"##),
        Golden(##"\sqrt{x^2 + 1} + \sqrt[3]{y}"##, display: false,
               ##"<mrow><msqrt><msup><mi>x</mi><mn>2</mn></msup><mo>+</mo><mn>1</mn></msqrt><mo>+</mo><mroot><mi>y</mi><mn>3</mn></mroot></mrow>"##),
        Golden(##"\left( \frac{a}{b} \right) = \left. F(x) \right|_{0}^{1}"##, display: true,
               ##"<mrow><mrow><mo stretchy="true">(</mo><mfrac><mi>a</mi><mi>b</mi></mfrac><mo stretchy="true">)</mo></mrow><mo>=</mo><msubsup><mrow><mi>F</mi><mo stretchy="false">(</mo><mi>x</mi><mo stretchy="false">)</mo><mo stretchy="true">|</mo></mrow><mn>0</mn><mn>1</mn></msubsup></mrow>"##),
        Golden(##"\mathbf{x} \in \mathbb{R}^d, \mathbb{E}[X], \mathcal{L}(\boldsymbol{\theta}), \mathrm{d}x"##, display: false,
               ##"<mrow><mi>𝐱</mi><mo>∈</mo><msup><mi>ℝ</mi><mi>d</mi></msup><mo>,</mo><mi>𝔼</mi><mo stretchy="false">[</mo><mi>X</mi><mo stretchy="false">]</mo><mo>,</mo><mi>ℒ</mi><mo stretchy="false">(</mo><mi>𝜽</mi><mo stretchy="false">)</mo><mo>,</mo><mi mathvariant="normal">d</mi><mi>x</mi></mrow>"##),
        Golden(##"\hat{y} = \bar{x} + \vec{v} + \tilde{w} + \dot{q}"##, display: false,
               ##"<mrow><mover accent="true"><mi>y</mi><mo stretchy="false">^</mo></mover><mo>=</mo><mover accent="true"><mi>x</mi><mo stretchy="false">‾</mo></mover><mo>+</mo><mover accent="true"><mi>v</mi><mo stretchy="false">→</mo></mover><mo>+</mo><mover accent="true"><mi>w</mi><mo stretchy="false">~</mo></mover><mo>+</mo><mover accent="true"><mi>q</mi><mo stretchy="false">˙</mo></mover></mrow>"##),
        Golden(##"\lVert \mathbf{w} \rVert = |x| = 1"##, display: false,
               ##"<mrow><mo stretchy="false" lspace="0" rspace="0">‖</mo><mi>𝐰</mi><mo stretchy="false" lspace="0" rspace="0">‖</mo><mo>=</mo><mo stretchy="false" lspace="0" rspace="0">|</mo><mi>x</mi><mo stretchy="false" lspace="0" rspace="0">|</mo><mo>=</mo><mn>1</mn></mrow>"##),
        Golden(##"\Theta, \Sigma, \Delta, \vartheta, \varepsilon, \epsilon, \phi, \varphi"##, display: false,
               ##"<mrow><mi mathvariant="normal">Θ</mi><mo>,</mo><mi mathvariant="normal">Σ</mi><mo>,</mo><mi mathvariant="normal">Δ</mi><mo>,</mo><mi>ϑ</mi><mo>,</mo><mi>ε</mi><mo>,</mo><mi>ϵ</mi><mo>,</mo><mi>ϕ</mi><mo>,</mo><mi>φ</mi></mrow>"##),
        Golden(##"\begin{aligned} \ell &= -\log p_y \\ &= -z_y + \log\sum_j e^{z_j} \end{aligned}"##, display: true,
               ##"<mtable displaystyle="true"><mtr><mtd style="text-align: right; padding-right: 0"><mi>ℓ</mi></mtd><mtd style="text-align: left; padding-left: 0"><mrow></mrow><mo>=</mo><mo form="prefix">−</mo><mspace width="0.1667em"></mspace><mi>log</mi><mo rspace="0.1667em">&#x2061;</mo><msub><mi>p</mi><mi>y</mi></msub></mtd></mtr><mtr><mtd style="text-align: right; padding-right: 0"></mtd><mtd style="text-align: left; padding-left: 0"><mrow></mrow><mo>=</mo><mo form="prefix">−</mo><msub><mi>z</mi><mi>y</mi></msub><mo>+</mo><mi>log</mi><mo rspace="0.1667em">&#x2061;</mo><munder><mo>∑</mo><mi>j</mi></munder><msup><mi>e</mi><msub><mi>z</mi><mi>j</mi></msub></msup></mtd></mtr></mtable>"##),
        Golden(##"10^{-3} \approx 0.001, \; a \cdot b \times c \pm (-1)"##, display: false,
               ##"<mrow><msup><mn>10</mn><mrow><mo>−</mo><mn>3</mn></mrow></msup><mo>≈</mo><mn>0.001</mn><mo>,</mo><mspace width="0.2778em"></mspace><mi>a</mi><mo>⋅</mo><mi>b</mi><mo>×</mo><mi>c</mi><mo>±</mo><mo stretchy="false">(</mo><mo form="prefix">−</mo><mn>1</mn><mo stretchy="false">)</mo></mrow>"##),
        Golden(##"\dfrac{1}{2} + \tfrac{1}{2}"##, display: false,
               ##"<mrow><mstyle displaystyle="true" scriptlevel="0"><mfrac><mn>1</mn><mn>2</mn></mfrac></mstyle><mo>+</mo><mfrac><mn>1</mn><mn>2</mn></mfrac></mrow>"##),
        Golden(##"\dfrac{1}{2} + \tfrac{1}{2}"##, display: true,
               ##"<mrow><mfrac><mn>1</mn><mn>2</mn></mfrac><mo>+</mo><mstyle displaystyle="false"><mfrac><mn>1</mn><mn>2</mn></mfrac></mstyle></mrow>"##),
        Golden(##"a\,b\;c\quad d~e\ f\!g"##, display: false,
               ##"<mrow><mi>a</mi><mspace width="0.1667em"></mspace><mi>b</mi><mspace width="0.2778em"></mspace><mi>c</mi><mspace width="1em"></mspace><mi>d</mi><mtext>&#xA0;</mtext><mi>e</mi><mtext>&#xA0;</mtext><mi>f</mi><mspace width="-0.1667em"></mspace><mi>g</mi></mrow>"##),
        Golden(##"\big( x \Big] \bigl| y \bigr|"##, display: false,
               ##"<mrow><mo stretchy="true" minsize="1.2em" maxsize="1.2em" lspace="0" rspace="0">(</mo><mi>x</mi><mo stretchy="true" minsize="1.623em" maxsize="1.623em" lspace="0" rspace="0">]</mo><mo stretchy="true" minsize="1.2em" maxsize="1.2em" lspace="0" rspace="0">|</mo><mi>y</mi><mo stretchy="true" minsize="1.2em" maxsize="1.2em" lspace="0" rspace="0">|</mo></mrow>"##),
        Golden(##"\underbrace{a + b}_{n}"##, display: false,
               ##"<munder><munder><mrow><mi>a</mi><mo>+</mo><mi>b</mi></mrow><mo stretchy="true">⏟</mo></munder><mi>n</mi></munder>"##),
        Golden(##"\operatorname{sim}(a, b) = \frac{a^\top b}{\|a\|\,\|b\|}"##, display: false,
               ##"<mrow><mi>sim</mi><mo>&#x2061;</mo><mo stretchy="false">(</mo><mi>a</mi><mo>,</mo><mi>b</mi><mo stretchy="false">)</mo><mo>=</mo><mfrac><mrow><msup><mi>a</mi><mi>⊤</mi></msup><mi>b</mi></mrow><mrow><mo stretchy="false" lspace="0" rspace="0">‖</mo><mi>a</mi><mo stretchy="false" lspace="0" rspace="0">‖</mo><mspace width="0.1667em"></mspace><mo stretchy="false" lspace="0" rspace="0">‖</mo><mi>b</mi><mo stretchy="false" lspace="0" rspace="0">‖</mo></mrow></mfrac></mrow>"##),
        Golden(##"\begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix}"##, display: false,
               ##"<mrow><mo stretchy="true">(</mo><mtable displaystyle="false"><mtr><mtd><mn>1</mn></mtd><mtd><mn>0</mn></mtd></mtr><mtr><mtd><mn>0</mn></mtd><mtd><mn>1</mn></mtd></mtr></mtable><mo stretchy="true">)</mo></mrow>"##),
        Golden(##"50\%, \_, \{x\}, \$, \#, \&"##, display: false,
               ##"<mrow><mn>50</mn><mi>%</mi><mo>,</mo><mi>_</mi><mo>,</mo><mo stretchy="false">{</mo><mi>x</mi><mo stretchy="false">}</mo><mo>,</mo><mi>$</mi><mo>,</mo><mi>#</mi><mo>,</mo><mi>&amp;</mi></mrow>"##),
        Golden(##"\overline{x + y}"##, display: false,
               ##"<mover accent="true"><mrow><mi>x</mi><mo>+</mo><mi>y</mi></mrow><mo stretchy="true">‾</mo></mover>"##),
    ]

    @Test(arguments: goldens) func representativeFormulaConvertsExactly(_ golden: Golden) throws {
        try Self.check(golden.tex, display: golden.display, golden.body)
    }

    // MARK: Escaping and the wrapper

    @Test func lessThanAndAmpersandAreEscapedInTextOperatorsAndTheAnnotation() throws {
        let output = try TeX.mathML(##"\text{R\&D "x"} < 1 \& y"##, display: false)
        #expect(output == ##"<math><semantics><mrow><mtext>R&amp;D &quot;x&quot;</mtext><mo>&lt;</mo><mn>1</mn><mi>&amp;</mi><mi>y</mi></mrow><annotation encoding="application/x-tex">\text{R\&amp;D &quot;x&quot;} &lt; 1 \&amp; y</annotation></semantics></math>"##)
        #expect(XMLCheck.problems(output) == [])
    }

    @Test func inlineAndDisplayDifferInTheMathElement() throws {
        #expect(try TeX.mathML("x", display: false)
            == ##"<math><semantics><mi>x</mi><annotation encoding="application/x-tex">x</annotation></semantics></math>"##)
        #expect(try TeX.mathML("x", display: true)
            == ##"<math display="block"><semantics><mi>x</mi><annotation encoding="application/x-tex">x</annotation></semantics></math>"##)
    }

    @Test func outputIsDeterministic() throws {
        let first = try TeX.mathML(Self.arcFace, display: true)
        for _ in 0..<5 { #expect(try TeX.mathML(Self.arcFace, display: true) == first) }
        for golden in Self.goldens {
            #expect(try TeX.mathML(golden.tex, display: golden.display) == TeX.mathML(golden.tex, display: golden.display))
        }
    }

    // MARK: More of what the lessons may write

    @Test func scriptsWithoutABaseAndPrimesAreAllowedAsInTeX() throws {
        try Self.check("^2", display: false, "<msup><mrow></mrow><mn>2</mn></msup>")
        try Self.check("_i x", display: false, "<mrow><msub><mrow></mrow><mi>i</mi></msub><mi>x</mi></mrow>")
        try Self.check("x'^2", display: false, "<msup><mi>x</mi><mrow><mo>′</mo><mn>2</mn></mrow></msup>")
        try Self.check("x_i'", display: false, "<msubsup><mi>x</mi><mi>i</mi><mo>′</mo></msubsup>")
    }

    @Test func aScriptArgumentIsOneTokenSoXToThe12IsXSquaredThen2() throws {
        try Self.check("x^12", display: false, "<mrow><msup><mi>x</mi><mn>1</mn></msup><mn>2</mn></mrow>")
        try Self.check(##"\frac12"##, display: false, "<mfrac><mn>1</mn><mn>2</mn></mfrac>")
    }

    @Test func numbersTakeOneDecimalPoint() throws {
        try Self.check("0.5 + 1.2.3", display: false,
                       "<mrow><mn>0.5</mn><mo>+</mo><mn>1.2</mn><mn>.3</mn></mrow>")
    }

    @Test func sumWithLimitsKeepsThemUnderneathEvenInline() throws {
        try Self.check(##"\sum\limits_{i}"##, display: false,
                       ##"<munder><mo movablelimits="false">∑</mo><mi>i</mi></munder>"##)
        try Self.check(##"\sum\nolimits_{i}"##, display: true, "<msub><mo>∑</mo><mi>i</mi></msub>")
        try Self.check(##"\int_0^1"##, display: true, "<msubsup><mo>∫</mo><mn>0</mn><mn>1</mn></msubsup>")
    }

    @Test func fontCommandsUseMathematicalAlphanumericCharacters() throws {
        try Self.check(##"\mathbf{W}\boldsymbol{x}\mathbb{1}\mathsf{T}\mathtt{a}\mathfrak{g}\mathit{h}\mathcal{B}"##, display: false,
                       "<mrow><mi>𝐖</mi><mi>𝒙</mi><mn>𝟙</mn><mi>𝖳</mi><mi>𝚊</mi><mi>𝔤</mi><mi>ℎ</mi><mi>ℬ</mi></mrow>")
        try Self.check(##"\mathrm{softmax}(\mathbf{z})"##, display: false,
                       ##"<mrow><mi>softmax</mi><mo stretchy="false">(</mo><mi>𝐳</mi><mo stretchy="false">)</mo></mrow>"##)
        try Self.check(##"\boldsymbol{\Sigma}\mathbf{\theta}"##, display: false, "<mrow><mi>𝚺</mi><mi>𝛉</mi></mrow>")
    }

    @Test func relationsAndOperatorsMapToUnicode() throws {
        try Self.check(##"\le\leq\ge\geq\ne\neq\approx\equiv\sim\propto\in\notin\subset\to\rightarrow\leftarrow\Rightarrow\mapsto"##,
                       display: false,
                       "<mrow>" + "≤≤≥≥≠≠≈≡∼∝∈∉⊂→→←⇒↦".map { "<mo>\($0)</mo>" }.joined() + "</mrow>")
        try Self.check(##"a\cdot b\times c\div d\pm e\mp f\ast g\circ h\cap i\cup j\land k\lor l"##, display: false,
                       "<mrow>" + zip("abcdefghijk", "⋅×÷±∓∗∘∩∪∧∨").map { "<mi>\($0)</mi><mo>\($1)</mo>" }.joined() + "<mi>l</mi></mrow>")
        try Self.check(##"\partial\nabla\infty\forall\exists\neg"##, display: false,
                       ##"<mrow><mi>∂</mi><mi mathvariant="normal">∇</mi><mi>∞</mi><mi>∀</mi><mi>∃</mi><mi>¬</mi></mrow>"##)
        try Self.check(##"x_1, \ldots, x_n + \cdots + \dots"##, display: false,
                       ##"<mrow><msub><mi>x</mi><mn>1</mn></msub><mo>,</mo><mo>…</mo><mo>,</mo><msub><mi>x</mi><mi>n</mi></msub><mo>+</mo><mo>⋯</mo><mo>+</mo><mo>…</mo></mrow>"##)
    }

    @Test func leftRightWithMiddleStretchesAndBigHasAFixedSize() throws {
        try Self.check(##"\left\{ x \middle| x > 0 \right\}"##, display: false,
                       ##"<mrow><mo stretchy="true">{</mo><mi>x</mi><mo stretchy="true" lspace="0" rspace="0">|</mo><mi>x</mi><mo>&gt;</mo><mn>0</mn><mo stretchy="true">}</mo></mrow>"##)
        try Self.check(##"\left\lVert x \right\rVert"##, display: false,
                       ##"<mrow><mo stretchy="true">‖</mo><mi>x</mi><mo stretchy="true">‖</mo></mrow>"##)
    }

    @Test func alignedEnvironmentAlsoTakesRowSpacingAndATrailingLineBreak() throws {
        try Self.check(##"\begin{aligned} a &= b \\[4pt] c &= d \\ \end{aligned}"##, display: true,
                       ##"<mtable displaystyle="true"><mtr><mtd style="text-align: right; padding-right: 0"><mi>a</mi></mtd><mtd style="text-align: left; padding-left: 0"><mrow></mrow><mo>=</mo><mi>b</mi></mtd></mtr><mtr><mtd style="text-align: right; padding-right: 0"><mi>c</mi></mtd><mtd style="text-align: left; padding-left: 0"><mrow></mrow><mo>=</mo><mi>d</mi></mtd></mtr></mtable>"##)
    }

    @Test func commentsAndSpacingBetweenTokensAreIgnored() throws {
        try Self.check("a  +\n b % the rest is a comment\n", display: false,
                       "<mrow><mi>a</mi><mo>+</mo><mi>b</mi></mrow>")
    }

    // MARK: Errors

    struct Failure: Sendable, CustomTestStringConvertible {
        var tex: String
        var message: String
        var offset: Int
        init(_ tex: String, _ message: String, _ offset: Int) {
            self.tex = tex
            self.message = message
            self.offset = offset
        }
        var testDescription: String { tex.debugDescription }
    }

    static let failures: [Failure] = [
        Failure(##"a + \foo b"##, ##"unsupported TeX command \foo"##, 4),
        Failure(##"θ + \foo"##, ##"unsupported TeX command \foo"##, 4),  // offsets count characters, not bytes
        Failure("x + {a", "missing closing brace for group opened here", 4),
        Failure(##"\frac{a}{b"##, "missing closing brace for group opened here", 8),
        Failure("a + b}", "unexpected closing brace", 5),
        Failure(##"1 + \left( x"##, ##"\left without matching \right"##, 4),
        Failure(##"{\left( x } \right)"##, ##"\left without matching \right"##, 1),
        Failure(##"a \right)"##, ##"\right without matching \left"##, 2),
        Failure(##"\left x \right)"##, ##"missing or unsupported delimiter after \left"##, 0),
        Failure(##"1 + \frac{a}"##, ##"missing argument for \frac"##, 4),
        Failure(##"\frac"##, ##"missing argument for \frac"##, 0),
        Failure("x^", "missing argument for ^", 1),
        Failure("x_}", "missing argument for _", 1),
        Failure("x_a_b", "double subscript", 3),
        Failure("x^a^b", "double superscript", 3),
        Failure("x^a'", "double superscript", 3),
        Failure(##"\begin{foo} x \end{foo}"##, "unsupported environment foo", 0),
        Failure(##"\begin{cases} a \end{aligned}"##, ##"\begin{cases} ended by \end{aligned}"##, 16),
        Failure(##"\begin{cases} a & b"##, ##"missing \end{cases}"##, 0),
        Failure(##"\end{cases}"##, ##"\end without matching \begin"##, 0),
        Failure("", "empty formula", 0),
        Failure("  \n ", "empty formula", 0),
        Failure("% only a comment", "empty formula", 0),
        Failure("a & b", "misplaced &", 2),
        Failure(##"a \\ b"##, ##"misplaced \\"##, 2),
        Failure(##"\sqrt[3{x}"##, ##"missing ] for the optional argument of \sqrt"##, 5),
        Failure(##"\text{$x$}"##, ##"math inside \text is not supported"##, 6),
        Failure(##"a \not x"##, ##"\not must be followed by a relation"##, 2),
        Failure(##"x\limits^2"##, ##"\limits must follow a math operator"##, 1),
        Failure("a\u{1}b", "unsupported character U+0001", 1),
        Failure("x + \\", "lone backslash at end of formula", 4),
        Failure("$x$", "unexpected $ (a formula must not contain math delimiters)", 0),
        Failure("#", "unsupported character #", 0),
    ]

    @Test(arguments: failures) func malformedOrUnsupportedTeXThrowsWithMessageAndOffset(_ failure: Failure) {
        #expect(throws: TeXError(message: failure.message, offset: failure.offset)) {
            try TeX.mathML(failure.tex, display: false)
        }
    }

    @Test func deepNestingIsRejectedInsteadOfOverflowingTheStack() {
        let patterns = [
            String(repeating: "{", count: 5000),
            String(repeating: "{", count: 300) + String(repeating: "}", count: 300),
            String(repeating: ##"\frac"##, count: 2000) + "x",
            String(repeating: "x^{", count: 1000),
            String(repeating: ##"\left("##, count: 1000),
            String(repeating: ##"\sqrt["##, count: 1000),
            String(repeating: ##"\not"##, count: 1000) + "=",
            String(repeating: ##"\displaystyle "##, count: 1000),
            String(repeating: ##"\begin{cases}"##, count: 500),
            ##"\text{"## + String(repeating: "{", count: 1000),
        ]
        for tex in patterns {
            #expect(throws: TeXError.self) { try TeX.mathML(tex, display: true) }
        }
        // Realistic depth is fine.
        let nested = String(repeating: ##"\frac{1}{1+"##, count: 20) + "x" + String(repeating: "}", count: 20)
        #expect(throws: Never.self) { try TeX.mathML(nested, display: true) }
    }

    // MARK: Robustness

    @Test func theXMLCheckRejectsMalformedOutputAndForeignElements() {
        #expect(XMLCheck.problems("<math><mi>x</mi></math>") == [])
        #expect(XMLCheck.problems("<math><mi>x</math>") != [])
        #expect(XMLCheck.problems("<math><mi>a<b</mi></math>") != [])
        #expect(XMLCheck.problems("<math><mi>R&D</mi></math>") != [])
        #expect(XMLCheck.problems("<math><mi>x</mi>") != [])
        #expect(XMLCheck.problems("<math><menclose></menclose></math>") == ["element <menclose> is not expected"])
    }

    /// Random formulas that are valid by construction always convert, to well-formed MathML Core.
    @Test func randomValidFormulasAlwaysConvert() throws {
        var random = SplitMix64(seed: 2018_01_23)  // the ArcFace paper's arXiv date
        func pick(_ options: [String]) -> String { options[Int(random.next() % UInt64(options.count))] }
        func formula(_ depth: Int) -> String {
            let leaves = ["x", "y_i", "2", "0.5", "\\theta", "\\Sigma", "\\infty", "\\ell", "W^\\top", "x'",
                          "\\mathbb{R}", "\\text{if }", "\\|w\\|", "|x|", "\\{a\\}", "\\%", "\\,", "\\quad", "e"]
            let infixes = [" + ", " - ", " = ", " < ", " \\le ", " \\cdot ", " \\ne ", ", ", " \\to ", " ", "\\times "]
            if depth == 0 { return pick(leaves) }
            let a = formula(depth - 1), b = formula(depth - 1)
            return switch random.next() % 18 {
            case 0: "\\frac{\(a)}{\(b)}"
            case 1: "{\(a)}^{\(b)}"
            case 2: "{\(a)}_{\(b)}"
            case 3: "\\left(\(a)\\right)"
            case 4: "\\sqrt{\(a)}"
            case 5: "\\sqrt[\(a)]{\(b)}"
            case 6: "\\begin{cases} \(a) & \(b) \\\\ \(b) & \\text{otherwise} \\end{cases}"
            case 7: "\\sum_{\(a)}^{\(b)}"
            case 8: "\\max_{\(a)} \(b)"
            case 9: "\\hat{\(a)}"
            case 10: "\\mathbf{\(a)}"
            case 11: "\\cos \(a)"
            case 12: "\\begin{aligned} \(a) &= \(b) \\\\ &= \(a) \\end{aligned}"
            case 13: "\\left.\(a)\\right|_{\(b)}"
            case 14: "\\dfrac{\(a)}{\(b)}"
            case 15: "\\underbrace{\(a)}_{\(b)}"
            default: a + pick(infixes) + b
            }
        }
        for _ in 0..<500 {
            let tex = formula(Int(random.next() % 4) + 1)
            let display = random.next() % 2 == 0
            let output = try TeX.mathML(tex, display: display)
            #expect(XMLCheck.problems(output) == [], "\(tex)")
        }
    }

    /// Random strings of TeX-ish fragments: each either converts to well-formed MathML Core or throws a
    /// TeXError pointing inside the source. A crash or hang fails the whole run.
    @Test func fuzzedInputEitherConvertsOrThrowsTeXError() {
        let fragments = [
            "x", "y_i", "2", "0.5", " ", "+", "-", "=", "<", "&", "\\\\", "{", "}", "{}", "^", "_", "'", "(", ")",
            "[", "]", "|", "\\|", ".", ",", "~", "%", "\n", "\\", "$", "#", "θ", "é", "\u{7}",
            "\\frac", "\\dfrac", "\\tfrac", "\\binom", "\\sqrt", "\\sqrt[3]", "\\sum", "\\int", "\\limits", "\\nolimits",
            "\\cos", "\\max", "\\lim", "\\log", "\\theta", "\\Sigma", "\\alpha", "\\infty", "\\ne", "\\cdot", "\\dots",
            "\\left(", "\\left.", "\\left\\|", "\\right)", "\\right.", "\\right|", "\\middle|", "\\big(", "\\Bigr]",
            "\\text{", "\\text{a b}", "\\operatorname*{arg\\,max}", "\\mathbf", "\\mathbb{R}", "\\boldsymbol",
            "\\mathrm{", "\\hat", "\\vec{v}", "\\overline", "\\underbrace", "\\overset", "\\not", "\\,", "\\quad",
            "\\!", "\\ ", "\\%", "\\{", "\\}", "\\displaystyle", "\\begin{cases}", "\\end{cases}",
            "\\begin{aligned}", "\\end{aligned}", "\\begin{pmatrix}", "\\end{pmatrix}", "\\begin{array}{lc|r}",
            "\\end{array}", "\\begin{foo}", "\\begin", "\\end", "\\foo", "\\mathop", "\\mathrel", "\\[2pt]",
        ]
        var random = SplitMix64(seed: 0x7E_57_AC_E5)
        for _ in 0..<3000 {
            let count = Int(random.next() % 16) + 1
            let tex = (0..<count).map { _ in fragments[Int(random.next() % UInt64(fragments.count))] }.joined()
            let display = random.next() % 2 == 0
            do {
                let output = try TeX.mathML(tex, display: display)
                #expect(XMLCheck.problems(output) == [], "\(tex.debugDescription)")
            } catch let error as TeXError {
                #expect(error.offset >= 0 && error.offset <= max(0, tex.count - 1), "\(tex.debugDescription): \(error)")
                #expect(!error.message.isEmpty)
            } catch {
                Issue.record("\(tex.debugDescription) threw \(error)")
            }
        }
    }
}

extension TeXTests {
    /// A small deterministic generator, so a failing fuzz case is the same on every run.
    struct SplitMix64 {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Parses the output as XML and lists what is wrong: not well formed, or an element outside MathML Core
    /// (as far as the converter is meant to use it).
    enum XMLCheck {
        static let allowed: Set<String> = [
            "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "mtext", "mfrac", "msqrt", "mroot", "msub",
            "msup", "msubsup", "munder", "mover", "munderover", "mspace", "mstyle", "mtable", "mtr", "mtd",
        ]

        final class Collector: NSObject, XMLParserDelegate {
            var names: [String] = []
            func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                        qualifiedName: String?, attributes: [String: String] = [:]) {
                names.append(elementName)
            }
        }

        static func problems(_ xml: String) -> [String] {
            let parser = XMLParser(data: Data(xml.utf8))
            let collector = Collector()
            parser.delegate = collector
            // On Linux parse() can return true after an error; parserError is what tells.
            guard parser.parse(), parser.parserError == nil else {
                return ["not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "unknown error")"]
            }
            var problems = collector.names.filter { !allowed.contains($0) }.map { "element <\($0)> is not expected" }
            if collector.names.first != "math" { problems.append("root element is not <math>") }
            return problems
        }
    }
}
