// Seeded random numbers (SplitMix64) and the random tensor initialisers built on them.

/// A seeded random number generator, the counterpart of `torch.Generator`.
///
/// Algorithm (fixed, so every machine produces the same numbers; it does NOT reproduce torch's
/// Mersenne Twister): SplitMix64 (Steele, Lea & Flood 2014) over a 64-bit state that starts at the
/// seed. A uniform Scalar in [0, 1) is the top 24 bits of one output times 2^-24, so every value is
/// exactly representable and 1.0 never occurs. Normals use Box-Muller on pairs of such uniforms.
public final class Generator {
    /// torch's default CPU seed (`default_rng_seed_val`), used when none is given.
    public static let defaultSeed = 67_280_421_310_721

    public private(set) var state: UInt64
    /// The seed last set, `g.initial_seed()`.
    public private(set) var initialSeed: Int

    public init(seed: Int = Generator.defaultSeed) {
        initialSeed = seed
        state = UInt64(bitPattern: Int64(seed))
    }

    /// `g.manual_seed(seed)`: restarts the sequence; returns self like torch.
    @discardableResult
    public func manual_seed(_ seed: Int) -> Generator {
        initialSeed = seed
        state = UInt64(bitPattern: Int64(seed))
        return self
    }

    /// The next SplitMix64 output.
    public func nextUInt64() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Float in [0, 1): the top 24 bits (a float's significand) scaled by 2^-24.
    public func nextFloat() -> Float { Float(nextUInt64() >> 40) * 0x1p-24 }

    /// The generator used when none is passed, like torch's global default generator.
    nonisolated(unsafe) public static let `default` = Generator()
}

/// `torch.manual_seed(seed)`: reseeds the default generator.
@discardableResult
public func manual_seed(_ seed: Int) -> Generator { Generator.default.manual_seed(seed) }

extension TensorOf {
    /// `x.uniform_(a, b)`: fills with uniforms in [a, b) (computed as `a + (b - a) * u` in Scalar,
    /// as torch does, so b itself can occur through rounding); returns self.
    @_specialize(where Scalar == Float)
    @discardableResult
    public func uniform_(_ a: Scalar = 0, _ b: Scalar = 1, generator: Generator = .default) -> TensorOf {
        scalars.withUnsafeMutableBufferPointer { x in
            for i in x.indices { x[i] = a + (b - a) * Scalar(generator.nextFloat()) }
        }
        return self
    }

    /// `x.normal_(mean, std)`: fills with normals by Box-Muller; each pair of uniforms (u1, u2) gives
    /// `r cos θ` and `r sin θ` with `r = sqrt(-2 ln(1 - u1))` (1 - u1 is in (0, 1], so the log is finite)
    /// and `θ = 2π u2`, computed in Double. An odd count drops the last sine. Returns self.
    @_specialize(where Scalar == Float)
    @discardableResult
    public func normal_(mean: Scalar = 0, std: Scalar = 1, generator: Generator = .default) -> TensorOf {
        scalars.withUnsafeMutableBufferPointer { x in
            for i in stride(from: 0, to: x.count, by: 2) {
                let u1 = Double(generator.nextFloat()), u2 = Double(generator.nextFloat())
                let r = (-2 * PortableMath.log(1 - u1)).squareRoot()
                let theta = 2 * Double.pi * u2
                x[i] = mean + std * Scalar(r * PortableMath.cos(theta))
                if i + 1 < x.count { x[i + 1] = mean + std * Scalar(r * PortableMath.sin(theta)) }
            }
        }
        return self
    }

    /// `torch.rand(shape)`: uniforms in [0, 1).
    @_specialize(where Scalar == Float)
    public static func rand(_ shape: [Int], generator: Generator = .default) -> TensorOf {
        zeros(shape).uniform_(0, 1, generator: generator)
    }
    @_specialize(where Scalar == Float)
    public static func rand(_ shape: Int..., generator: Generator = .default) -> TensorOf { rand(shape, generator: generator) }

    /// `torch.randn(shape)`: standard normals.
    @_specialize(where Scalar == Float)
    public static func randn(_ shape: [Int], generator: Generator = .default) -> TensorOf {
        zeros(shape).normal_(mean: 0, std: 1, generator: generator)
    }
    @_specialize(where Scalar == Float)
    public static func randn(_ shape: Int..., generator: Generator = .default) -> TensorOf { randn(shape, generator: generator) }
}

