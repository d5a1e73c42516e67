// Toy training, as in the ArcFace paper's toy experiment: 8 identities, 2-D embeddings, the ArcFace
// head against a plain softmax classifier. The run is seeded and must repeat bit for bit.

import Testing
@testable import ArcFaceKit

struct ToyRun: Equatable {
    var losses: [Float]
    var accuracy: Float
    var kernel: [Float]
}

/// Linear(32,128) -> ReLU -> Linear(128,2) -> l2 norm -> head, SGD with momentum and the seed's
/// param groups, MultiStepLR, shuffled drop-last batches.
func trainToy(arcFace: Bool, epochs: Int = 20, seed: Int = 0) -> ToyRun {
    let gen = Generator(seed: seed)
    let data = ToyClusters(identities: 8, samplesPerIdentity: 256, dim: 32, centerScale: 2, generator: gen)
    let model = Sequential(Linear(32, 128, generator: gen), ReLU(), Linear(128, 2, generator: gen), L2Norm(axis: 1))
    let arc = ArcFace(embeddingSize: 2, classnum: 8, s: 16, m: 0.5, generator: gen)
    let softmax = SoftmaxHead(embeddingSize: 2, classnum: 8, generator: gen)
    let headParams = arcFace ? arc.parameters() : softmax.parameters()
    let optimizer = SGD(model.parameters() + headParams, lr: 0.1, momentum: 0.9, weightDecay: 5e-4)
    let scheduler = MultiStepLR(optimizer, milestones: [10, 15], gamma: 0.1)
    let loader = DataLoader(data, batchSize: 128, shuffle: true, dropLast: true, generator: gen)
    var losses: [Float] = []
    for _ in 0..<epochs {
        var total: Float = 0, batches: Float = 0
        for (inputs, labels) in loader {
            optimizer.zeroGrad()
            let embeddings = model(inputs)
            let logits = arcFace ? arc(embeddings, labels) : softmax(embeddings)
            let loss = crossEntropy(logits, labels)
            loss.backward()
            optimizer.step()
            total += loss.item()
            batches += 1
        }
        losses.append(total / batches)
        scheduler.step()
    }
    // Accuracy: the nearest class by cosine (ArcFace) or the largest logit (softmax), without margin.
    let predictions: [Int] = withNoGrad {
        let e = model(data.inputs)
        let scores = arcFace ? e.mm(l2_norm(arc.kernel, axis: 0)) : softmax(e)
        return scores.argmax(dim: 1)
    }
    let correct = zip(predictions, data.labels).filter { $0 == $1 }.count
    return ToyRun(losses: losses, accuracy: Float(correct) / Float(data.labels.count),
                  kernel: (arcFace ? arc.kernel : softmax.kernel).scalars)
}

@Suite(.serialized) struct ToyTrainingTests {
    @Test func arcFaceOnToyDataConvergesAndRepeatsBitForBit() {
        let first = trainToy(arcFace: true)
        let second = trainToy(arcFace: true)
        #expect(first == second)
        #expect(first.losses.last! < first.losses.first! * 0.5)
        #expect(first.accuracy > 0.9)
    }

    @Test func theSoftmaxBaselineConvergesAndRepeatsBitForBit() {
        let first = trainToy(arcFace: false)
        #expect(first == trainToy(arcFace: false))
        #expect(first.losses.last! < first.losses.first!)
        #expect(first.accuracy > 0.9)
    }

    @Test func anotherSeedGivesAnotherRun() {
        #expect(trainToy(arcFace: true, epochs: 1, seed: 0).losses != trainToy(arcFace: true, epochs: 1, seed: 1).losses)
    }
}
