// Every op and every repr recorded from PyTorch in Reference/tensor_ops.json, replayed through ArcFaceKit.

import Testing
import ArcFaceKit

@Suite("PyTorch reference")
struct ReferenceTests {
    @Test func referenceFileRecordsTheTorchVersionAndEnoughCases() throws {
        let file = try ReferenceFile.load()
        #expect(!file.torch_version.isEmpty)
        #expect(file.ops.count >= 100)
        #expect(file.reprs.count >= 25)
    }

    @Test(arguments: try ReferenceFile.load().ops)
    func opMatchesPyTorch(_ c: ReferenceOp) {
        let x = c.inputs.first?.tensor
        let dim = c.int("dim"), keepdim = c.bool("keepdim")
        let result: Tensor
        switch c.op {
        case "renorm":
            let y = x!.renorm(p: c.float("p")!, dim: dim!, maxnorm: c.float("maxnorm")!)
            result = c.float("scale").map { y * $0 } ?? y
        case "renorm_":
            let y = x!
            let returned = y.renorm_(p: c.float("p")!, dim: dim!, maxnorm: c.float("maxnorm")!).mul_(c.float("scale")!)
            #expect(returned === y, "renorm_ and mul_ return self")
            result = y
        case "norm":
            result = dim.map { x!.norm(p: c.float("p")!, dim: $0, keepdim: keepdim) } ?? x!.norm(p: c.float("p")!)
        case "l2_norm": result = l2_norm(x!, axis: c.int("axis")!)
        case "normalize": result = normalize(x!, p: c.float("p")!, dim: dim!)
        case "add": result = x! + c.inputs[1].tensor
        case "sub": result = x! - c.inputs[1].tensor
        case "mul": result = x! * c.inputs[1].tensor
        case "div": result = x! / c.inputs[1].tensor
        case "add_scalar": result = x! + c.float("s")!
        case "sub_scalar": result = x! - c.float("s")!
        case "mul_scalar": result = x! * c.float("s")!
        case "div_scalar": result = x! / c.float("s")!
        case "rsub_scalar": result = c.float("s")! - x!
        case "rdiv_scalar": result = c.float("s")! / x!
        case "neg": result = -x!
        case "abs": result = x!.abs()
        case "sqrt": result = x!.sqrt()
        case "exp": result = x!.exp()
        case "log": result = x!.log()
        case "pow": result = x!.pow(c.float("e")!)
        case "clamp": result = x!.clamp(min: c.float("min"), max: c.float("max"))
        case "sum": result = dim.map { x!.sum(dim: $0, keepdim: keepdim) } ?? x!.sum()
        case "mean": result = dim.map { x!.mean(dim: $0, keepdim: keepdim) } ?? x!.mean()
        case "max": result = dim.map { x!.max(dim: $0, keepdim: keepdim) } ?? x!.max()
        case "min": result = dim.map { x!.min(dim: $0, keepdim: keepdim) } ?? x!.min()
        case "argmax", "argmin":
            let got = c.op == "argmax" ? x!.argmax(dim: dim!) : x!.argmin(dim: dim!)
            guard case .indices(let want) = c.output else { Issue.record("\(c.name): expected indices"); return }
            #expect(got == want, "\(c.name)")
            return
        case "arange": result = Tensor.arange(c.double("start"), c.double("end"), c.double("step"))
        default:
            Issue.record("unknown op \(c.op) in reference file")
            return
        }
        guard case .tensor(let want) = c.output else { Issue.record("\(c.name): expected a tensor"); return }
        expectClose(result, want, c.name)
    }

    @Test(arguments: try ReferenceFile.load().reprs)
    func descriptionMatchesPyTorchRepr(_ c: ReferenceRepr) {
        let got = c.input.tensor.description
        #expect(got == c.repr, "\(c.name):\n--- ArcFaceKit\n\(got)\n--- torch\n\(c.repr)")
    }
}
