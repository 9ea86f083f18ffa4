"""Dynamic int8 quantisation of the exported math model (the issue's optional step), written with the onnx
package alone (the onnxruntime Python tools are not installed here). Every MatMul with a constant weight W
becomes: activations quantised per call to uint8 (DynamicQuantizeLinear), W stored as int8 with one symmetric
scale, MatMulInteger, and the product rescaled to float. Convolutions and everything else stay float.

  /usr/bin/python3 training/math/quantize.py models/math /tmp/math-int8     # writes encoder.onnx, decoder.onnx

Compare with bench:math on a copy of models/math holding the quantised files (README.md, "int8").
"""
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def quantize(model: onnx.ModelProto) -> int:
    inits = {i.name: i for i in model.graph.initializer}
    nodes, count = [], 0
    for node in model.graph.node:
        weight = node.input[1] if node.op_type == 'MatMul' and len(node.input) == 2 else None
        if weight not in inits or len(inits[weight].dims) != 2:
            nodes.append(node)
            continue
        w = numpy_helper.to_array(inits[weight]).astype(np.float32)
        scale = max(float(np.abs(w).max()) / 127.0, 1e-12)
        q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
        base = f'{node.name or weight}_q{count}'
        model.graph.initializer.extend([
            numpy_helper.from_array(q, f'{base}_w'),
            numpy_helper.from_array(np.array(0, dtype=np.int8), f'{base}_wzp'),
            numpy_helper.from_array(np.array(scale, dtype=np.float32), f'{base}_ws'),
        ])
        x = node.input[0]
        nodes += [
            helper.make_node('DynamicQuantizeLinear', [x], [f'{base}_xq', f'{base}_xs', f'{base}_xzp'], name=f'{base}_dql'),
            helper.make_node('MatMulInteger', [f'{base}_xq', f'{base}_w', f'{base}_xzp', f'{base}_wzp'], [f'{base}_i32'], name=f'{base}_mmi'),
            helper.make_node('Cast', [f'{base}_i32'], [f'{base}_f'], to=TensorProto.FLOAT, name=f'{base}_cast'),
            helper.make_node('Mul', [f'{base}_xs', f'{base}_ws'], [f'{base}_s'], name=f'{base}_scale'),
            helper.make_node('Mul', [f'{base}_f', f'{base}_s'], list(node.output), name=f'{base}_rescale'),
        ]
        count += 1
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    # Float weights no longer read by any node are dropped.
    used = {i for n in model.graph.node for i in n.input} | {o.name for o in model.graph.output}
    keep = [i for i in model.graph.initializer if i.name in used]
    del model.graph.initializer[:]
    model.graph.initializer.extend(keep)
    return count


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    src, dst = sys.argv[1:]
    os.makedirs(dst, exist_ok=True)
    for name in os.listdir(src):
        if not name.endswith('.onnx'):
            shutil.copy(os.path.join(src, name), os.path.join(dst, name))
    for name in ('encoder.onnx', 'decoder.onnx'):
        model = onnx.load(os.path.join(src, name))
        n = quantize(model)
        onnx.checker.check_model(model)
        onnx.save(model, os.path.join(dst, name))
        print(f'{name}: {n} MatMuls quantised, {os.path.getsize(os.path.join(src, name)) / 1e6:.1f} -> {os.path.getsize(os.path.join(dst, name)) / 1e6:.1f} MB')


if __name__ == '__main__':
    main()
