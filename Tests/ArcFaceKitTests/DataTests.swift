// Data: ToyClusters' reproducible generation and the DataLoader's batching and per-epoch shuffling.

import Testing
@testable import ArcFaceKit

@Suite("DataLoader")
struct DataLoaderTests {
    /// Row i of the inputs holds the value i, so a batch tells which samples it contains.
    static func indexed(_ n: Int, width: Int = 1) -> (Tensor, [Int]) {
        (Tensor(shape: [n, width], scalars: (0..<n).flatMap { i in [Float](repeating: Float(i), count: width) }), (0..<n).map { $0 * 10 })
    }

    @Test func dropLastKeepsOnlyFullBatchesAndOtherwiseTheLastBatchIsSmaller() {
        let (x, y) = Self.indexed(10)
        let keep = DataLoader(inputs: x, labels: y, batchSize: 3)
        #expect(keep.count == 4)
        #expect(keep.map(\.labels.count) == [3, 3, 3, 1])
        let drop = DataLoader(inputs: x, labels: y, batchSize: 3, shuffle: true, dropLast: true, generator: Generator(seed: 1))
        #expect(drop.count == 3)
        #expect(drop.map(\.inputs.shape) == [[3, 1], [3, 1], [3, 1]])
        #expect(DataLoader(inputs: x, labels: y, batchSize: 5, dropLast: true).count == 2)
        #expect(DataLoader(inputs: x, labels: y, batchSize: 11, dropLast: true).map(\.labels).isEmpty)
    }

    @Test func everySampleComesExactlyOncePerEpochWithItsOwnLabel() {
        let (x, y) = Self.indexed(23, width: 2)
        let loader = DataLoader(inputs: x, labels: y, batchSize: 4, shuffle: true, generator: Generator(seed: 3))
        for _ in 0..<3 {
            var seen: [Int] = []
            for (inputs, labels) in loader {
                #expect(inputs.shape == [labels.count, 2])
                for (r, label) in labels.enumerated() {
                    let i = Int(inputs[r, 0])
                    #expect(inputs[r, 1] == Float(i) && label == 10 * i)
                    seen.append(i)
                }
            }
            #expect(seen.sorted() == Array(0..<23))
        }
    }

    @Test func withDropLastNoSampleRepeatsWithinAnEpoch() {
        let (x, y) = Self.indexed(23)
        let loader = DataLoader(inputs: x, labels: y, batchSize: 5, shuffle: true, dropLast: true, generator: Generator(seed: 4))
        let seen = loader.flatMap { $0.inputs.scalars.map(Int.init) }
        #expect(seen.count == 20 && Set(seen).count == 20)
    }

    @Test func eachEpochIsReshuffledAndTheSameSeedGivesTheSameEpochs() {
        let (x, y) = Self.indexed(50)
        func epochs(seed: Int) -> [[Int]] {
            let loader = DataLoader(inputs: x, labels: y, batchSize: 8, shuffle: true, generator: Generator(seed: seed))
            return (0..<3).map { _ in loader.flatMap { $0.labels } }
        }
        let a = epochs(seed: 7)
        #expect(a[0] != a[1] && a[1] != a[2])
        #expect(a[0] != Array(y), "shuffled")
        #expect(epochs(seed: 7) == a)
        #expect(epochs(seed: 8) != a)
    }

    @Test func withoutShuffleSamplesComeInOrderAndTheGeneratorIsNotUsed() {
        let (x, y) = Self.indexed(7)
        let g = Generator(seed: 5)
        let loader = DataLoader(inputs: x, labels: y, batchSize: 3, generator: g)
        #expect(loader.flatMap { $0.labels } == y)
        #expect(loader.epochOrder() == Array(0..<7))
        #expect(g.nextUInt64() == Generator(seed: 5).nextUInt64())
    }

    @Test func batchesCopyWholeRowsOfHigherRankInputs() {
        let x = Tensor.arange(24).reshape([4, 2, 3])
        let batches = DataLoader(inputs: x, labels: [0, 1, 2, 3], batchSize: 3).epoch()
        #expect(batches.map(\.inputs.shape) == [[3, 2, 3], [1, 2, 3]])
        #expect(batches[1].inputs.scalars == Array(x.scalars[18..<24]))
    }

    @Test func theShuffleIsUniformOverPermutations() {
        // 6000 shuffles of 3 items: each of the 6 permutations about 1000 times (sd ~ 29).
        let loader = DataLoader(inputs: Tensor.zeros(3, 1), labels: [0, 1, 2], batchSize: 3, shuffle: true, generator: Generator(seed: 9))
        var counts: [[Int]: Int] = [:]
        for _ in 0..<6000 { counts[loader.epochOrder(), default: 0] += 1 }
        #expect(counts.count == 6)
        #expect(counts.values.allSatisfy { (850...1150).contains($0) }, "\(counts)")
    }

    @Test func theFisherYatesOrderIsPinnedForSeed42() {
        let loader = DataLoader(inputs: Tensor.zeros(8, 1), labels: Array(0..<8), batchSize: 8, shuffle: true, generator: Generator(seed: 42))
        // Recomputed from the documented algorithm: j uniform in 0...i by rejection on nextUInt64.
        let g = Generator(seed: 42)
        var want = Array(0..<8)
        for i in stride(from: 7, to: 0, by: -1) {
            let bound = UInt64(i + 1)
            var r = g.nextUInt64()
            while r < (0 &- bound) % bound { r = g.nextUInt64() }
            want.swapAt(i, Int(r % bound))
        }
        #expect(loader.epochOrder() == want)
    }
}

@Suite("ToyClusters")
struct ToyClustersTests {
    @Test func shapesAndLabelsAreIdentityMajor() {
        let d = ToyClusters(identities: 3, samplesPerIdentity: 4, dim: 5, generator: Generator(seed: 1))
        #expect(d.inputs.shape == [12, 5] && d.centers.shape == [3, 5] && d.count == 12)
        #expect(d.labels == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
    }

    @Test func generationFollowsTheDocumentedOrder() {
        let d = ToyClusters(identities: 3, samplesPerIdentity: 4, dim: 5, centerScale: 2, generator: Generator(seed: 6))
        let g = Generator(seed: 6)
        let centers = Tensor.randn([3, 5], generator: g).scalars.map { $0 * 2 }
        let noise = Tensor.randn([12, 5], generator: g).scalars
        #expect(d.centers.scalars == centers)
        // Element k is row k / 5 (identity (k / 5) / 4), column k % 5.
        let want: [Float] = (0..<60).map { k in centers[(k / 5) / 4 * 5 + k % 5] + noise[k] }
        #expect(d.inputs.scalars == want)
    }

    @Test func theSameSeedGivesTheSameDataAndTheFirstValuesArePinned() {
        let a = ToyClusters(generator: Generator(seed: 0)), b = ToyClusters(generator: Generator(seed: 0))
        #expect(a.inputs.shape == [4096, 32])
        #expect(a.inputs.scalars == b.inputs.scalars && a.labels == b.labels)
        #expect(ToyClusters(generator: Generator(seed: 1)).inputs.scalars != a.inputs.scalars)
        let pinned: [Float] = [-2.799688, 3.2274327, -0.31527442, 0.39966068]
        // Box-Muller goes through libm's cos/sin in Double: allow an ulp of slack, as GeneratorTests do.
        for (got, want) in zip(a.inputs.scalars.prefix(4), pinned) { #expect(abs(got - want) <= 1e-6 * abs(want)) }
        #expect(a.labels.prefix(3) == [0, 0, 0] && a.labels[512] == 1 && a.labels.last == 7)
    }

    @Test func samplesScatterAroundTheirCentreWithUnitVariance() {
        let d = ToyClusters(identities: 2, samplesPerIdentity: 2000, dim: 4, centerScale: 3, generator: Generator(seed: 12))
        for id in 0..<2 {
            for k in 0..<4 {
                let xs = (0..<2000).map { Double(d.inputs[id * 2000 + $0, k]) }
                let mean = xs.reduce(0, +) / 2000
                let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 1999
                #expect(abs(mean - Double(d.centers[id, k])) < 0.1)
                #expect(abs(variance - 1) < 0.1)
            }
        }
    }
}
