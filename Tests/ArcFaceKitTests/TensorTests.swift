// Hand-written checks of construction, indexing, shape ops, in-place semantics and renorm's rule.

import Testing
import ArcFaceKit

@Suite("Tensor")
struct TensorTests {
    @Test func integerLiteralsBuildARowMajorMatrix() {
        let x = Tensor([[1, 2, 3], [4, 5, 6]])
        #expect(x.shape == [2, 3])
        #expect(x.scalars == [1, 2, 3, 4, 5, 6])
        #expect(x.dim == 2 && x.numel == 6 && x.size(-1) == 3)
    }

    @Test func nestedArraysOfOneTwoAndThreeDimensionsGiveTheirShapes() {
        #expect(Tensor([1.5, 2]).shape == [2])
        #expect(Tensor([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]).shape == [2, 3, 2])
        #expect(Tensor(0.5).shape == [] && Tensor(0.5).item() == 0.5)
        #expect(Tensor([[1, 2.5], [3, 4]]).scalars == [1, 2.5, 3, 4])
    }

    @Test func arraysOfIntAndDoubleVariablesConvert() {
        let ints: [[Int]] = [[1, 2], [3, 4]]
        let doubles: [Double] = [0.25, 0.5]
        #expect(Tensor(ints).scalars == [1, 2, 3, 4])
        #expect(Tensor(doubles).scalars == [0.25, 0.5])
    }

    @Test func factoriesFillTheirShapes() {
        #expect(Tensor.zeros(2, 3).scalars == [Float](repeating: 0, count: 6))
        #expect(Tensor.ones([3]).scalars == [1, 1, 1])
        #expect(Tensor.full([2], value: 7).scalars == [7, 7])
        #expect(Tensor.arange(4).scalars == [0, 1, 2, 3])
        #expect(Tensor.arange(1, 2, 0.25).scalars == [1, 1.25, 1.5, 1.75])
    }

    @Test func subscriptReadsAndWritesWithNegativeIndices() {
        let x = Tensor([[1, 2, 3], [4, 5, 6]])
        #expect(x[1, 2] == 6 && x[-1, -1] == 6 && x[0, -3] == 1)
        x[0, 1] = 20
        #expect(x.scalars == [1, 20, 3, 4, 5, 6])
    }

    @Test func selectRowTransposeAndReshapeCopyTheRightElements() {
        let x = Tensor([[1, 2, 3], [4, 5, 6]])
        #expect(x.select(dim: 1, index: -1).scalars == [3, 6])
        #expect(x.row(1).scalars == [4, 5, 6])
        #expect(x.t().shape == [3, 2] && x.t().scalars == [1, 4, 2, 5, 3, 6])
        #expect(x.reshape(3, -1).shape == [3, 2])
        let cube = Tensor.arange(24).reshape(2, 3, 4)
        #expect(cube.select(dim: 1, index: 2).scalars == [8, 9, 10, 11, 20, 21, 22, 23])
        #expect(cube.permute([2, 0, 1]).shape == [4, 2, 3])
        #expect(cube.permute([2, 0, 1])[3, 1, 2] == cube[1, 2, 3])
    }

    @Test func negativeDimMeansCountingFromTheLast() {
        let x = Tensor([[1, -2, 3], [4, 5, -6]])
        #expect(x.sum(dim: -1).scalars == x.sum(dim: 1).scalars)
        #expect(x.norm(dim: -1, keepdim: true).scalars == x.norm(dim: 1, keepdim: true).scalars)
        #expect(x.renorm(p: 2, dim: -2, maxnorm: 1).scalars == x.renorm(p: 2, dim: 0, maxnorm: 1).scalars)
        #expect(x.max(dim: -1).scalars == [3, 5])
        #expect(x.argmax(dim: -1) == [2, 1])
    }

    @Test func renormOverDimZeroScalesEachRowToUnitNorm() {
        let y = Tensor([[1, 2, 3], [4, 5, 6]]).renorm(p: 2, dim: 0, maxnorm: 1)
        for n in y.norm(dim: 1).scalars {
            // maxnorm / (norm + 1e-7) lands a hair under 1.
            #expect(n <= 1 && n > 1 - 1e-6)
        }
    }

    @Test func renormLeavesSubTensorsWithNormAtMostMaxnormUnchanged() {
        let x = Tensor([[3, 4], [0.3, 0.4], [0, 0], [6, 8]])  // row norms 5, 0.5, 0, 10
        let y = x.renorm(p: 2, dim: 0, maxnorm: 5)
        #expect(Array(y.scalars[0..<6]) == Array(x.scalars[0..<6]))  // norm 5 is not > 5: factor exactly 1
        #expect(abs(y[3, 0] - 3) < 1e-6 && abs(y[3, 1] - 4) < 1e-6)
    }

    @Test func renormInPlaceMutatesEveryReferenceAndReturnsSelf() {
        let x = Tensor([[1, 2, 3], [4, 5, 6]])
        let alias = x
        let returned = x.renorm_(p: 2, dim: 0, maxnorm: 1e-5).mul_(1e5)
        #expect(returned === x)
        #expect(alias.description == "tensor([[0.2673, 0.5345, 0.8018],\n        [0.4558, 0.5698, 0.6838]])")
    }

    @Test func compoundAssignmentWorksInPlaceOnALet() {
        let x = Tensor([1, 2, 3])
        let alias = x
        x *= 2
        x += Tensor([1, 1, 1])
        x -= 1
        x /= Tensor([2])
        #expect(alias.scalars == [1, 2, 3])
    }

    @Test func broadcastingCombinesAColumnAndARow() {
        let y = Tensor([[10], [20]]) + Tensor([1, 2, 3])  // (2, 1) + (3,) -> (2, 3)
        #expect(y.shape == [2, 3] && y.scalars == [11, 12, 13, 21, 22, 23])
        #expect((2 * Tensor([1, 2]) - 1).scalars == [1, 3])
        #expect((1 / Tensor([2, 4])).scalars == [0.5, 0.25])
    }

    @Test func l2NormOfAZeroRowIsNaNWhileNormalizeKeepsItZero() {
        let x = Tensor([[3, 4], [0, 0]])
        let a = l2_norm(x)
        #expect(a[0, 0] == 0.6 && a[0, 1] == 0.8 && a[1, 0].isNaN)
        #expect(normalize(x).scalars[2...] == [0, 0])
    }

    @Test func reductionsReturnZeroDimensionalTensors() {
        let x = Tensor([[1, 2], [3, 4]])
        #expect(x.sum().shape == [] && x.sum().item() == 10)
        #expect(x.mean().item() == 2.5)
        #expect(x.max().item() == 4 && x.min().item() == 1 && x.argmax() == 3)
        #expect(x.sum().description == "tensor(10.)")
        #expect(x.mean(dim: 0, keepdim: true).shape == [1, 2])
    }

    @Test func clampPowAndUnaryMathAreElementwise() {
        let x = Tensor([-2, 0.25, 4])
        #expect(x.clamp(min: 0).scalars == [0, 0.25, 4])
        #expect(x.clamp(min: -1, max: 1).scalars == [-1, 0.25, 1])
        #expect(x.abs().pow(0.5).scalars == [x.abs().sqrt()[0], 0.5, 2])
        #expect((-x).scalars == [2, -0.25, -4])
    }
}
