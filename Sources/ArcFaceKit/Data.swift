// Data: a seeded toy face-identity data set (Gaussian clusters) and a DataLoader that batches it,
// reshuffling every epoch with a seeded Fisher-Yates.

/// Gaussian clusters standing in for face embeddings: one centre per identity, samples scattered
/// around it.
///
/// Generation, in this exact order from `generator` (so a seed fixes every value):
/// 1. `centers = randn(identities, dim) * centerScale` — one `normal_` call over the flat
///    (identities, dim) buffer (Box-Muller pairs, see Generator.swift).
/// 2. `noise = randn(identities * samplesPerIdentity, dim)` — a second `normal_` call.
/// 3. Row `i` of `inputs` is `centers[i / samplesPerIdentity] + noise[i]` (in Float32), and
///    `labels[i] = i / samplesPerIdentity`: identity 0's samples first, then identity 1's, ...
public struct ToyClusters {
    public let identities: Int
    public let samplesPerIdentity: Int
    public let dim: Int
    /// `(identities, dim)`: the cluster centres.
    public let centers: Tensor
    /// `(N, dim)` with `N = identities * samplesPerIdentity`.
    public let inputs: Tensor
    /// `N` identity labels in `0..<identities`.
    public let labels: [Int]

    public var count: Int { labels.count }

    public init(identities: Int = 8, samplesPerIdentity: Int = 512, dim: Int = 32, centerScale: Float = 2,
                generator: Generator = .default) {
        check(identities > 0 && samplesPerIdentity > 0 && dim > 0, "ToyClusters: sizes must be positive")
        self.identities = identities
        self.samplesPerIdentity = samplesPerIdentity
        self.dim = dim
        let c = Tensor.randn([identities, dim], generator: generator).scalars.map { $0 * centerScale }
        let n = identities * samplesPerIdentity
        var x = Tensor.randn([n, dim], generator: generator).scalars
        for i in 0..<n {
            let id = i / samplesPerIdentity
            for d in 0..<dim { x[i * dim + d] = c[id * dim + d] + x[i * dim + d] }
        }
        centers = Tensor(shape: [identities, dim], scalars: c)
        inputs = Tensor(shape: [n, dim], scalars: x)
        labels = (0..<n).map { $0 / samplesPerIdentity }
    }
}

/// `torch.utils.data.DataLoader(TensorDataset(inputs, labels), batch_size, shuffle, drop_last)`.
///
/// A `Sequence` of `(inputs, labels)` batches: every `for batch in loader` (every `makeIterator()`)
/// is one epoch. With `shuffle`, each epoch draws a fresh permutation from `generator` (so epochs
/// differ, and the same seed gives the same sequence of epochs); without it, samples come in order.
/// Batches are rows of `inputs` (first dimension) copied into new tensors of shape
/// `(batchSize, ...)`; the last one is smaller unless `dropLast`, which keeps only full batches
/// (the seed's training loop, which stops at the first batch with `len(input) != conf.batch_size`).
///
/// Shuffle: Fisher-Yates from the end, `for i in stride(from: n - 1, to: 0, by: -1) { swap(i, j) }`
/// with `j` uniform in `0...i` drawn by rejection from `generator.nextUInt64()` (values below
/// `2^64 mod (i + 1)` are redrawn, then `j = r % (i + 1)`), so the permutation is exactly uniform.
public struct DataLoader: Sequence {
    public typealias Element = (inputs: Tensor, labels: [Int])

    public let inputs: Tensor
    public let labels: [Int]
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    public let generator: Generator

    public init(inputs: Tensor, labels: [Int], batchSize: Int, shuffle: Bool = false, dropLast: Bool = false,
                generator: Generator = .default) {
        check(inputs.dim >= 1 && inputs.shape[0] == labels.count,
                     "DataLoader: \(labels.count) labels for inputs of shape \(inputs.shape)")
        check(batchSize > 0, "batch_size should be a positive integer value, but got batch_size=\(batchSize)")
        (self.inputs, self.labels, self.batchSize, self.shuffle, self.dropLast, self.generator) =
            (inputs, labels, batchSize, shuffle, dropLast, generator)
    }

    /// A loader over a `ToyClusters` data set.
    public init(_ data: ToyClusters, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false,
                generator: Generator = .default) {
        self.init(inputs: data.inputs, labels: data.labels, batchSize: batchSize, shuffle: shuffle,
                  dropLast: dropLast, generator: generator)
    }

    /// `len(loader)`: batches per epoch.
    public var count: Int {
        dropLast ? labels.count / batchSize : (labels.count + batchSize - 1) / batchSize
    }

    public var underestimatedCount: Int { count }

    /// The sample order of a new epoch (draws from `generator` when shuffling).
    public func epochOrder() -> [Int] {
        var order = Array(0..<labels.count)
        guard shuffle else { return order }
        var i = order.count - 1
        while i > 0 {
            order.swapAt(i, DataLoader.uniformIndex(upTo: i, generator))
            i -= 1
        }
        return order
    }

    /// Uniform integer in `0...i` by rejection sampling (no modulo bias).
    static func uniformIndex(upTo i: Int, _ generator: Generator) -> Int {
        let bound = UInt64(i + 1)
        let threshold = (0 &- bound) % bound                 // 2^64 mod bound
        var r = generator.nextUInt64()
        while r < threshold { r = generator.nextUInt64() }
        return Int(r % bound)
    }

    /// One epoch's batches as an array.
    public func epoch() -> [Element] { Array(self) }

    public func makeIterator() -> Iterator { Iterator(loader: self, order: epochOrder()) }

    public struct Iterator: IteratorProtocol {
        let loader: DataLoader
        let order: [Int]
        var start = 0

        public mutating func next() -> Element? {
            let n = order.count
            guard start < n else { return nil }
            let end = Swift.min(start + loader.batchSize, n)
            if loader.dropLast && end - start < loader.batchSize { return nil }
            let picked = order[start..<end]
            start = end
            let rowShape = Array(loader.inputs.shape.dropFirst())
            let rowSize = rowShape.reduce(1, *)
            let src = loader.inputs.scalars
            var out: [Float] = []
            out.reserveCapacity(picked.count * rowSize)
            for i in picked { out += src[i * rowSize..<(i + 1) * rowSize] }
            return (Tensor(shape: [picked.count] + rowShape, scalars: out), picked.map { loader.labels[$0] })
        }
    }
}
