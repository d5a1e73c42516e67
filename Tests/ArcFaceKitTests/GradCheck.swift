// Finite-difference gradient checks in Float64: the analytic backward of every op is compared with
// central differences of its forward.

import Testing
@testable import ArcFaceKit

enum GradCheck {
    /// Checks d(sum(w * f(inputs)))/d(inputs) against central differences, where `w` is a fixed
    /// pseudo-random weight per output element (so that errors cannot cancel in a plain sum).
    /// Inputs are cloned and marked requiresGrad; `f` must be deterministic.
    static func check(_ inputs: [DoubleTensor], eps: Double = 1e-6, atol: Double = 1e-6, rtol: Double = 1e-5,
                      sourceLocation: SourceLocation = #_sourceLocation,
                      _ f: ([DoubleTensor]) -> DoubleTensor) {
        let leaves = inputs.map { $0.clone().requiresGrad_() }
        let out = f(leaves)
        let gen = Generator(seed: 1234)
        let w = DoubleTensor(shape: out.shape, scalars: (0..<out.numel).map { _ in Double(gen.nextFloat()) + 0.5 })
        func objective(_ xs: [DoubleTensor]) -> Double {
            zip(f(xs).scalars, w.scalars).reduce(0) { $0 + $1.0 * $1.1 }
        }
        (out * w).sum().backward()
        for (i, leaf) in leaves.enumerated() {
            guard let analytic = leaf.grad else {
                Issue.record("input \(i) got no gradient", sourceLocation: sourceLocation)
                continue
            }
            var worst = (diff: 0.0, index: -1, a: 0.0, n: 0.0)
            for k in 0..<leaf.numel {
                let plus = leaves.map { $0.detach().clone() }, minus = leaves.map { $0.detach().clone() }
                plus[i].scalars[k] += eps
                minus[i].scalars[k] -= eps
                let numeric = withNoGrad { (objective(plus) - objective(minus)) / (2 * eps) }
                let a = analytic.scalars[k]
                let excess = abs(a - numeric) - (atol + rtol * abs(numeric))
                if excess > worst.diff || (a.isNaN != numeric.isNaN) {
                    worst = (excess.isNaN ? .infinity : excess, k, a, numeric)
                }
            }
            if worst.index >= 0 {
                Issue.record("input \(i) element \(worst.index): analytic \(worst.a), numeric \(worst.n)", sourceLocation: sourceLocation)
            }
        }
    }

    /// A seeded Float64 tensor with values in [lo, hi).
    static func random(_ shape: [Int], seed: Int, in range: ClosedRange<Double> = -1...1) -> DoubleTensor {
        DoubleTensor.zeros(shape).uniform_(range.lowerBound, range.upperBound, generator: Generator(seed: seed))
    }
}

@Suite struct AutogradTests {
    @Test func mmGradientsMatchFiniteDifferences() {
        GradCheck.check([GradCheck.random([3, 4], seed: 1), GradCheck.random([4, 5], seed: 2)]) { $0[0].mm($0[1]) }
    }

    @Test func mmMatchesAHandComputedProduct() {
        let a = Tensor([[1, 2], [3, 4]]), b = Tensor([[5, 6], [7, 8]])
        #expect(a.mm(b).scalars == [19, 22, 43, 50])
    }

    @Test func gradientsAccumulateAcrossBackwardCallsAndZeroGradClearsThem() {
        let a = Tensor([[1, 2]]).requiresGrad_(), b = Tensor([[3], [4]])
        a.mm(b).sum().backward()
        a.mm(b).sum().backward()
        #expect(a.grad?.scalars == [6, 8])
        a.zeroGrad()
        #expect(a.grad == nil)
    }

    @Test func noGradScopeRecordsNothing() {
        let a = Tensor([[1, 2]]).requiresGrad_(), b = Tensor([[3], [4]])
        let y = withNoGrad { a.mm(b) }
        #expect(!y.requiresGrad && y.isLeaf)
        #expect(a.mm(b).gradFnName == "MmBackward0")
    }
}

@Suite struct ElementwiseGradientTests {
    let a = GradCheck.random([3, 4], seed: 11), b = GradCheck.random([3, 4], seed: 12)
    let row = GradCheck.random([1, 4], seed: 13), col = GradCheck.random([3, 1], seed: 14)
    let positive = GradCheck.random([3, 4], seed: 15, in: 0.5...2)

    @Test func arithmeticWithBroadcastingMatchesFiniteDifferences() {
        GradCheck.check([a, row]) { $0[0] + $0[1] }
        GradCheck.check([a, col]) { $0[0] - $0[1] }
        GradCheck.check([a, row]) { $0[0] * $0[1] }
        GradCheck.check([a, positive]) { $0[0] / $0[1] }
        GradCheck.check([positive, GradCheck.random([4], seed: 16, in: 0.5...2)]) { $0[1] / $0[0] }
    }

    @Test func scalarArithmeticMatchesFiniteDifferences() {
        GradCheck.check([a]) { 2 - $0[0] * 3 + 1 }
        GradCheck.check([positive]) { 1.5 / $0[0] - $0[0] / 4 }
        GradCheck.check([a]) { -$0[0] }
    }

    @Test func unaryMathMatchesFiniteDifferences() {
        GradCheck.check([positive]) { $0[0].sqrt() }
        GradCheck.check([positive]) { $0[0].log() }
        GradCheck.check([a]) { $0[0].exp() }
        GradCheck.check([a]) { $0[0].pow(2) + $0[0].pow(3) }
        GradCheck.check([positive]) { $0[0].pow(0.5) + $0[0].pow(-1) + $0[0].pow(1.7) }
        GradCheck.check([a]) { $0[0].abs() }
        GradCheck.check([a]) { $0[0].cos() + $0[0].sin() + $0[0].tanh() }
        GradCheck.check([a * 0.9]) { $0[0].acos() }
        GradCheck.check([a]) { $0[0].relu() }
        GradCheck.check([a * 2]) { $0[0].clamp(min: -1, max: 1) }
    }

    @Test func reductionsMatchFiniteDifferences() {
        GradCheck.check([a]) { $0[0].sum() }
        GradCheck.check([a]) { $0[0].sum(dim: 0) }
        GradCheck.check([a]) { $0[0].sum(dim: 1, keepdim: true) }
        GradCheck.check([a]) { $0[0].mean() }
        GradCheck.check([a]) { $0[0].mean(dim: -1) }
        GradCheck.check([a]) { $0[0].max(dim: 1) + $0[0].min(dim: 1) }
        GradCheck.check([a]) { $0[0].max() }
    }

    @Test func normsRenormAndNormalisationsMatchFiniteDifferences() {
        GradCheck.check([a]) { $0[0].norm() }
        GradCheck.check([a]) { $0[0].norm(p: 2, dim: 0) }
        GradCheck.check([a]) { $0[0].norm(p: 2, dim: 1, keepdim: true) }
        GradCheck.check([a]) { $0[0].norm(p: 3, dim: 1) }
        GradCheck.check([a]) { $0[0].norm(p: 1, dim: 0) }
        GradCheck.check([a]) { $0[0].renorm(p: 2, dim: 1, maxnorm: 0.5) }
        GradCheck.check([a]) { $0[0].renorm(p: 2, dim: 0, maxnorm: 1e-5) * 1e5 }
        GradCheck.check([a]) { $0[0].renorm(p: 3, dim: 0, maxnorm: 0.8) }
        GradCheck.check([a]) { l2_norm($0[0], axis: 0) }
        GradCheck.check([a]) { normalize($0[0], dim: 1) }
    }

    @Test func shapeOpsAndIndexingMatchFiniteDifferences() {
        GradCheck.check([a]) { $0[0].t() * GradCheck.random([4, 3], seed: 3) }
        GradCheck.check([a]) { $0[0].reshape(2, 6).unsqueeze(0).squeeze(0).permute([1, 0]) }
        GradCheck.check([a]) { $0[0].select(dim: 1, index: 2) }
        GradCheck.check([a]) { $0[0][[0, 2, 2], [1, 3, 3]] }
        GradCheck.check([a]) { $0[0][$0[0] > 0] }
        GradCheck.check([a]) { $0[0].gather(dim: 1, index: [3, 0, 1]) }
        GradCheck.check([a]) { $0[0].maskedFill($0[0] < 0, 7) }
        GradCheck.check([a, b]) { `where`($0[0] > 0, $0[0], $0[1]) }
        GradCheck.check([GradCheck.random([2, 3], seed: 5), GradCheck.random([3], seed: 6)]) { $0[0].matmul($0[1]) }
    }

    @Test func inPlaceAssignmentsRecordTheirGradients() {
        GradCheck.check([a, b]) { xs in
            let out = xs[0] * 1.0
            out[out > 0] = xs[1][out > 0] * 2
            out[[0, 1], [3, 2]] = xs[1][[2, 2], [0, 1]]
            out *= 3
            out += xs[1]
            return out
        }
    }
}

@Suite struct AutogradSemanticsTests {
    @Test func clampPassesNoGradientAtItsBoundsAsTorch215() {
        let x = Tensor([-1.5, -1, 0, 1, 1.5]).requiresGrad_()
        x.clamp(min: -1, max: 1).sum().backward()
        #expect(x.grad?.scalars == [0, 0, 1, 0, 0])
    }

    @Test func sqrtBackwardAtZeroIsInfiniteAndZeroTimesInfinityIsNaN() {
        let x = Tensor([0, 1, 4]).requiresGrad_()
        (x.sqrt() * Tensor([0, 1, 1])).sum().backward()
        let g = x.grad!.scalars
        #expect(g[0].isNaN && g[1] == 0.5 && g[2] == 0.25)
        let y = Tensor([0]).requiresGrad_()
        y.sqrt().sum().backward()
        #expect(y.grad!.scalars == [.infinity])
    }

    @Test func clampMasksAnInfiniteUpstreamGradientToZeroAsTorchDoes() {
        // sin = sqrt(1 - cos^2) at cos = 1: sqrt's backward is infinite, clamp's select turns it into 0.
        let x = Tensor([1.0, 0.5, 1.2]).requiresGrad_()
        let y = x.clamp(min: -1, max: 1)
        (1 - y.pow(2)).sqrt().sum().backward()
        let g = x.grad!.scalars
        #expect(g[0] == 0 && g[2] == 0 && abs(g[1] + 0.57735) < 1e-4)
    }

    @Test func anInPlaceChangeOfAValueTheGraphNeedsIsDetectedLikeTorch() async {
        await #expect(processExitsWith: .failure) {
            let x = Tensor([1, 2]).requiresGrad_()
            let y = x * 2
            let z = y * y
            y.add_(1)
            z.sum().backward()
        }
    }

    @Test func inPlaceOnALeafThatRequiresGradIsRefusedOutsideNoGrad() async {
        await #expect(processExitsWith: .failure) {
            let x = Tensor([1, 2]).requiresGrad_()
            x.mul_(2)
        }
        let x = Tensor([1, 2]).requiresGrad_()
        withNoGrad { x.mul_(2) }
        #expect(x.scalars == [2, 4])
    }

    @Test func dataSharesStorageOutsideTheGraph() {
        let kernel = Tensor.zeros(2, 3).requiresGrad_()
        kernel.data.fill_(0.5).mul_(2)
        #expect(kernel.scalars == [1, 1, 1, 1, 1, 1])
        #expect(kernel.isLeaf && kernel.requiresGrad)
    }

    @Test func reprShowsRequiresGradAndGradFnAsTorch() {
        let x = Tensor([1, 2]).requiresGrad_()
        #expect(x.description == "tensor([1., 2.], requires_grad=True)")
        #expect((x * 2).description == "tensor([2., 4.], grad_fn=<MulBackward0>)")
        #expect(DoubleTensor([0.5]).description == "tensor([0.5000], dtype=torch.float64)")
    }

    @Test func masksPrintAndCountLikeTorchBoolTensors() {
        let m = Tensor([[-1, 2], [3, -4]]) > 0
        #expect(m.description == "tensor([[False,  True],\n        [ True, False]])")
        #expect(m.count == 2)
    }
}

@Suite struct ZeroNormTests {
    @Test func l2NormOfAZeroColumnIsNaNInValueAndGradientAsTorch() {
        let x = Tensor([[0, 1], [0, 2]]).requiresGrad_()
        let y = l2_norm(x, axis: 0)
        y.sum().backward()
        #expect(y[0, 0].isNaN && x.grad![0, 0].isNaN && x.grad![1, 0].isNaN)
        #expect(abs(x.grad![0, 1] - 0.1789) < 1e-4)
        let z = Tensor([0, 0]).requiresGrad_()
        z.norm().backward()
        #expect(z.grad?.scalars == [0, 0])  // a finite upstream gradient gives 0 at a zero norm
    }
}
