// Optimisation: SGD and MultiStepLR against PyTorch (Reference/layers.json), the seed's schedule_lr and
// BatchNorm / weight-decay split, and training smoke tests that only use layers, mm and backward(gradient).

import Testing
@testable import ArcFaceKit

@Suite("SGD")
struct SGDTests {
    @Test(arguments: try LayersReference.load().sgd)
    func sgdMatchesPyTorchOverFiveStepsWithGivenGradients(_ c: LayersReference.SGDCase) {
        let params = c.initial.map { $0.tensor.requiresGrad_() }
        let groups = c.groups.map {
            ParamGroup(params: $0.params.map { params[$0] }, lr: $0.lr, momentum: $0.momentum, dampening: $0.dampening,
                       weightDecay: $0.weightDecay, nesterov: $0.nesterov)
        }
        let d = c.defaults
        let opt = SGD(groups, lr: d.lr!, momentum: d.momentum ?? 0, dampening: d.dampening ?? 0,
                      weightDecay: d.weightDecay ?? 0, nesterov: d.nesterov ?? false)
        for (s, step) in c.steps.enumerated() {
            for (p, g) in zip(params, step.grads) { p.grad = g?.tensor }
            opt.step()
            for (i, (p, want)) in zip(params, step.params).enumerated() {
                expectMatchesTorch(p, want, "\(c.name): param \(i) after step \(s + 1)")
            }
        }
    }

    @Test func groupsTakeTheOptimizersDefaultsForFieldsTheyLeaveNil() {
        let a = Tensor([1]).requiresGrad_(), b = Tensor([2]).requiresGrad_()
        let opt = SGD([ParamGroup(params: [a], lr: 0.5, weightDecay: 1e-3), ParamGroup(params: [b], momentum: 0)],
                      lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 1e-4)
        let (g0, g1) = (opt.paramGroups[0], opt.paramGroups[1])
        #expect(g0.lr == 0.5 && g0.momentum == 0.9 && g0.dampening == 0.1 && g0.weightDecay == 1e-3 && g0.nesterov == false)
        #expect(g1.lr == 0.1 && g1.momentum == 0 && g1.dampening == 0.1 && g1.weightDecay == 1e-4)
    }

    @Test func weightDecayAndMomentumFollowTorchsUpdateByHand() {
        // Values exactly representable, so the updates are exact.
        let p = Tensor([2]).requiresGrad_()
        let opt = SGD([p], lr: 0.5, momentum: 0.5, dampening: 0.5, weightDecay: 0.5)
        p.grad = Tensor([0])
        opt.step()                        // g = 0 + 0.5 * 2 = 1; buf = 1; p = 2 - 0.5 = 1.5
        #expect(p.scalars == [1.5] && opt.momentumBuffer(for: p)?.scalars == [1])
        p.grad = Tensor([1])
        opt.step()                        // g = 1 + 0.75 = 1.75; buf = 0.5 + 0.875 = 1.375; p = 1.5 - 0.6875
        #expect(opt.momentumBuffer(for: p)?.scalars == [1.375] && p.scalars == [0.8125])
        #expect(p.grad?.scalars == [1], "step leaves p.grad alone")
        #expect(p.isLeaf && p.requiresGrad)
    }

    @Test func paramsWithoutGradAreSkippedAndKeepTheirMomentumBuffer() {
        let a = Tensor([1, 1]).requiresGrad_(), b = Tensor([5]).requiresGrad_()
        let opt = SGD([a, b], lr: 0.1, momentum: 0.9)
        a.grad = Tensor([1, 2]); b.grad = Tensor([1])
        opt.step()
        let bBuffer = opt.momentumBuffer(for: b)?.scalars
        b.grad = nil
        let bBefore = b.scalars
        opt.step()
        #expect(b.scalars == bBefore)
        #expect(opt.momentumBuffer(for: b)?.scalars == bBuffer)
        #expect(opt.momentumBuffer(for: Tensor([0])) == nil)
    }

    @Test func zeroGradSetsGradsToNilAsTorch2() {
        let a = Tensor([1]).requiresGrad_()
        a.grad = Tensor([3])
        let opt = SGD([a], lr: 0.1)
        opt.zeroGrad()
        #expect(a.grad == nil)
    }

    @Test func changingAGroupsLearningRateChangesTheNextStep() {
        let a = Tensor([1]).requiresGrad_()
        let opt = SGD([a], lr: 0.5)
        opt.paramGroups[0].lr = 0.25
        a.grad = Tensor([1])
        opt.step()
        #expect(a.scalars == [0.75])
    }

    @Test func nesterovWithDampeningIsRefusedLikeTorch() async {
        await #expect(processExitsWith: .failure) {
            _ = SGD([Tensor([1])], lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true)
        }
    }

    @Test func aParameterInTwoGroupsIsRefusedLikeTorch() async {
        await #expect(processExitsWith: .failure) {
            let p = Tensor([1])
            _ = SGD([ParamGroup(params: [p]), ParamGroup(params: [p])], lr: 0.1)
        }
    }
}

@Suite("Learning-rate schedules")
struct ScheduleTests {
    @Test(arguments: try LayersReference.load().multistep)
    func multiStepLRGivesTorchsLearningRateInEveryEpoch(_ c: LayersReference.MultiStepCase) {
        let opt = SGD(c.lrs.map { ParamGroup(params: [Tensor([0]).requiresGrad_()], lr: $0) }, lr: c.lrs[0])
        let sched = MultiStepLR(opt, milestones: c.milestones, gamma: c.gamma)
        // Bit for bit: the schedule is torch's Python-float arithmetic (lr * gamma in double).
        for e in 0..<c.epochs {
            let used = opt.paramGroups.map { $0.lr! }
            #expect(used == c.epochLrs[e], "\(c.name): epoch \(e) uses \(used), torch \(c.epochLrs[e])")
            opt.step()
            sched.step()
            #expect(sched.lastLR == c.lastLrs[e], "\(c.name): get_last_lr after epoch \(e)")
        }
        #expect(sched.lastEpoch == c.epochs)
        #expect(sched.baseLRs == c.lrs)
    }

    @Test func theSeedsScheduleLRAtMilestones12_15_18GivesTheSameLearningRatesAsMultiStepLR() {
        let seedOpt = SGD([Tensor([0])], lr: 0.1), torchOpt = SGD([Tensor([0])], lr: 0.1)
        let sched = MultiStepLR(torchOpt, milestones: [12, 15, 18])
        let milestones = [12, 15, 18]
        for e in 0..<20 {
            // Learner.train: `if e == self.milestones[i]: self.schedule_lr()` at the start of epoch e.
            if milestones.contains(e) { scheduleLR(seedOpt) }
            let (a, b) = (seedOpt.paramGroups[0].lr!, torchOpt.paramGroups[0].lr!)
            #expect(abs(a - b) <= 1e-6 * b, "epoch \(e): schedule_lr \(a), MultiStepLR \(b)")
            let expected: Double = e < 12 ? 0.1 : e < 15 ? 0.01 : e < 18 ? 0.001 : 0.0001
            #expect(abs(a - expected) <= 1e-6 * expected)
            sched.step()
        }
    }

    /// After a milestone the lr is torch's double 0.1 * 0.1 = 0.010000000000000002, and a step uses
    /// it as Float(that), which is not Float(0.1) * Float(0.1).
    @Test func aStepAfterAMilestoneUsesTorchsDoubleLearningRateConvertedOnce() {
        let p = Tensor([1]).requiresGrad_()
        let opt = SGD([p], lr: 0.1)
        let sched = MultiStepLR(opt, milestones: [1])
        sched.step()
        #expect(opt.paramGroups[0].lr == 0.1 * 0.1)
        #expect(Float(0.1 * 0.1) != Float(0.1) * Float(0.1))
        p.grad = Tensor([1])
        opt.step()
        #expect(p.item() == 1 - Float(0.1 * 0.1))
    }

    @Test func scheduleLRDividesEveryGroupsLearningRateByTen() {
        let opt = SGD([ParamGroup(params: [Tensor([0])], lr: 1), ParamGroup(params: [Tensor([0])], lr: 0.5)], lr: 1)
        scheduleLR(opt)
        #expect(opt.paramGroups.map { $0.lr! } == [0.1, 0.05])
    }
}

@Suite("Seed parameter groups")
struct ParamGroupSplitTests {
    @Test func separateBNParamsPutsBatchNormWeightsAndBiasesApartInModuleOrder() {
        let g = Generator(seed: 1)
        let l0 = Linear(4, 3, generator: g), bn1 = BatchNorm1d(3), l3 = Linear(3, 2, generator: g), bn4 = BatchNorm1d(2)
        let model = Sequential(l0, bn1, ReLU(), Sequential(l3, bn4), L2Norm())
        let (bn, other) = separateBNParams(model)
        #expect(bn.map(ObjectIdentifier.init) == [bn1.weight!, bn1.bias!, bn4.weight!, bn4.bias!].map(ObjectIdentifier.init))
        #expect(other.map(ObjectIdentifier.init) == [l0.weight, l0.bias!, l3.weight, l3.bias!].map(ObjectIdentifier.init))
    }

    @Test func theSeedsGroupsDecayEverythingButBatchNormIncludingTheHeadKernel() {
        let l0 = Linear(2, 2, generator: Generator(seed: 1)), bn = BatchNorm1d(2)
        let model = Sequential(l0, bn)
        let kernel = Tensor.randn([2, 3], generator: Generator(seed: 2)).requiresGrad_()
        let groups = paramsWithWeightDecay(model: model, head: kernel)
        #expect(groups.count == 2)
        #expect(groups[0].params.map(ObjectIdentifier.init) == [l0.weight, l0.bias!, kernel].map(ObjectIdentifier.init))
        #expect(groups[0].weightDecay == 5e-4 && groups[1].weightDecay == nil)
        let opt = SGD(groups, lr: 0.1, momentum: 0.9)
        #expect(opt.paramGroups[1].weightDecay == 0 && opt.paramGroups[1].lr == 0.1 && opt.paramGroups[1].momentum == 0.9)
        // One step with zero gradients: only the decayed group moves (p -= lr * 5e-4 * p).
        let before = (kernel.scalars, bn.weight!.scalars)
        for p in model.parameters() + [kernel] { p.grad = Tensor.zeros(p.shape) }
        opt.step()
        #expect(bn.weight!.scalars == before.1)
        for (a, b) in zip(kernel.scalars, before.0) { #expect(abs(a - (b - 0.1 * 5e-4 * b)) <= 1e-7) }
    }
}

/// 0.5 * mean over rows of |y - t|^2, and its gradient (y - t) / B: a loss written by hand so the
/// smoke tests need no loss op.
func squaredLoss(_ y: Tensor, _ t: [Float]) -> (loss: Float, grad: Tensor) {
    let b = Float(y.shape[0])
    let diff = zip(y.scalars, t).map { $0 - $1 }
    return (diff.map { $0 * $0 }.reduce(0, +) / (2 * b), Tensor(shape: y.shape, scalars: diff.map { $0 / b }))
}

@Suite("Training smoke tests")
struct TrainingSmokeTests {
    /// Full-batch regression of a fixed random teacher with Linear -> ReLU -> Linear; returns the losses.
    static func regression(steps: Int) -> [Float] {
        let g = Generator(seed: 2024)
        let x = Tensor.randn([64, 4], generator: g)
        let teacher = Tensor.randn([4, 1], generator: g)
        let t = x.mm(teacher).scalars.map { $0 * $0 * 0.5 }          // a nonlinear target
        let model = Sequential(Linear(4, 16, generator: g), ReLU(), Linear(16, 1, generator: g))
        let opt = SGD(model.parameters(), lr: 0.05, momentum: 0.9)
        var losses: [Float] = []
        for _ in 0..<steps {
            opt.zeroGrad()
            let y = model(x)
            let (loss, grad) = squaredLoss(y, t)
            losses.append(loss)
            y.backward(grad)
            opt.step()
        }
        return losses
    }

    @Test func sgdReducesASquaredLossDeterministically() {
        let losses = Self.regression(steps: 150)
        #expect(losses.last! < 0.1 * losses.first!, "loss \(losses.first!) -> \(losses.last!)")
        #expect(losses.allSatisfy { $0.isFinite })
        #expect(Self.regression(steps: 150) == losses, "same seeds, same losses bit for bit")
    }

    @Test func aSeedStyleLoopSeparatesToyIdentities() {
        // ToyClusters -> DataLoader(shuffle, dropLast) -> Linear/BatchNorm/ReLU/Linear, the seed's
        // parameter groups, MultiStepLR; squared loss on one-hot targets. Eval accuracy must be high.
        let g = Generator(seed: 77)
        let data = ToyClusters(identities: 4, samplesPerIdentity: 64, dim: 8, centerScale: 2, generator: g)
        let loader = DataLoader(data, batchSize: 32, shuffle: true, dropLast: true, generator: g)
        let model = Sequential(Linear(8, 16, generator: g), BatchNorm1d(16), ReLU(), Linear(16, 4, generator: g))
        let head = Tensor.zeros(1).requiresGrad_()                    // stands in for the head kernel
        let opt = SGD(paramsWithWeightDecay(model: model, head: head), lr: 0.1, momentum: 0.9)
        let sched = MultiStepLR(opt, milestones: [6, 8])
        model.train()
        var firstEpoch: Float = 0, lastEpoch: Float = 0
        for epoch in 0..<10 {
            var total: Float = 0
            for (x, labels) in loader {
                opt.zeroGrad()
                let y = model(x)
                let t = labels.flatMap { l in (0..<4).map { $0 == l ? Float(1) : 0 } }
                let (loss, grad) = squaredLoss(y, t)
                total += loss
                y.backward(grad)
                opt.step()
            }
            if epoch == 0 { firstEpoch = total } else { lastEpoch = total }
            sched.step()
        }
        #expect(lastEpoch < 0.5 * firstEpoch, "epoch loss \(firstEpoch) -> \(lastEpoch)")
        #expect(abs(opt.paramGroups[0].lr! - 0.001) < 1e-9)
        model.eval()
        let y = withNoGrad { model(data.inputs) }
        let correct = (0..<data.count).filter { i in
            (0..<4).max { y[i, $0] < y[i, $1] } == data.labels[i]
        }.count
        #expect(Double(correct) / Double(data.count) > 0.9, "accuracy \(correct)/\(data.count)")
    }
}
