// The Generator must give the same numbers on every machine; these pin the algorithm (SplitMix64).

import Testing
import ArcFaceKit

@Suite("Generator")
struct GeneratorTests {
    @Test func seedZeroReproducesThePublishedSplitMix64Outputs() {
        let g = Generator(seed: 0)
        #expect([g.nextUInt64(), g.nextUInt64(), g.nextUInt64()] == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }

    @Test func uniformFloatsAreTheTop24BitsAndFixedForSeed42() {
        // Exact: every value is k * 2^-24.
        #expect(Tensor.rand(5, generator: Generator(seed: 42)).scalars
                == [0.7415648698806763, 0.1599103808403015, 0.27860110998153687, 0.34419065713882446, 0.038030147552490234])
    }

    @Test func normalsFromBoxMullerAreFixedForSeed42() {
        let got = Tensor.randn(6, generator: Generator(seed: 42)).scalars
        let want: [Float] = [0.8822489976882935, 1.3884731531143188, -0.45084959268569946,
                             0.6707165837287903, 0.18835251033306122, -0.2051040381193161]
        for (a, b) in zip(got, want) { #expect(abs(a - b) <= 1e-6, "\(got) vs \(want)") }
    }

    @Test func sameSeedGivesTheSameValuesAndDifferentSeedsDiffer() {
        let a = Tensor.randn([3, 4], generator: Generator(seed: 7))
        let b = Tensor.randn([3, 4], generator: Generator(seed: 7))
        let c = Tensor.randn([3, 4], generator: Generator(seed: 8))
        #expect(a.scalars == b.scalars)
        #expect(a.scalars != c.scalars)
    }

    @Test func manualSeedRestartsTheSequence() {
        let g = Generator(seed: 1)
        let first = Tensor.rand([4], generator: g).scalars
        #expect(Tensor.rand([4], generator: g).scalars != first)
        #expect(g.manual_seed(1).initialSeed == 1)
        #expect(Tensor.rand([4], generator: g).scalars == first)
    }

    @Test func uniformStaysInItsRangeAndNormalHasRoughlyTheRequestedMoments() {
        let g = Generator(seed: 3)
        let u = Tensor.zeros(10_000).uniform_(-1, 1, generator: g)
        #expect(u.min().item() >= -1 && u.max().item() < 1)
        let n = Tensor.zeros(10_000).normal_(mean: 2, std: 0.5, generator: g)
        #expect(abs(n.mean().item() - 2) < 0.02)
        #expect(abs(((n - 2).pow(2).mean().item()).squareRoot() - 0.5) < 0.02)
    }
}
