/**
 * The "rendered check" in the result view, made in the extension host: Markdown through VS Code's own
 * Markdown renderer, LaTeX as MathJax SVG, tables as their HTML. Failures fall back to no rendering.
 */
import * as vscode from 'vscode';
import type { RecognizeResult } from '../../server/src/protocol';
import { escapeHtml } from './preview/webviewHtml';
import { isDisplayMath, stripMathDelimiters } from './insert';

type TexToSvg = (tex: string, display: boolean) => string;
let texToSvg: TexToSvg | null | undefined;

/** MathJax (mathjax-full, loaded on first use from node_modules) → SVG markup. */
function mathjax(): TexToSvg | null {
  if (texToSvg !== undefined) return texToSvg;
  try {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { mathjax } = require('mathjax-full/js/mathjax.js');
    const { TeX } = require('mathjax-full/js/input/tex.js');
    const { SVG } = require('mathjax-full/js/output/svg.js');
    const { liteAdaptor } = require('mathjax-full/js/adaptors/liteAdaptor.js');
    const { RegisterHTMLHandler } = require('mathjax-full/js/handlers/html.js');
    const { AllPackages } = require('mathjax-full/js/input/tex/AllPackages.js');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const adaptor = liteAdaptor();
    RegisterHTMLHandler(adaptor);
    const doc = mathjax.document('', {
      InputJax: new TeX({ packages: (AllPackages as string[]).filter((p) => p !== 'bussproofs') }),
      OutputJax: new SVG({ fontCache: 'none' }),
    });
    texToSvg = (tex, display) => adaptor.innerHTML(doc.convert(tex, { display }));
  } catch {
    texToSvg = null;
  }
  return texToSvg;
}

export async function renderCheck(result: Pick<RecognizeResult, 'content' | 'format' | 'mode' | 'alternatives' | 'math' | 'chem'>): Promise<string | undefined> {
  try {
    if (result.mode === 'table' && result.alternatives?.html) return result.alternatives.html;
    if (result.format === 'latex' && result.math?.svg) return `<div class="math">${result.math.svg}</div>`;
    if (result.format === 'smiles' && result.chem?.svg) {
      // A standalone SVG document from RDKit, shown as an image (no scripts, no styles leaking into the page).
      const src = `data:image/svg+xml;base64,${Buffer.from(result.chem.svg).toString('base64')}`;
      return `<img class="molecule" alt="${escapeHtml(result.chem.smiles)}" src="${src}"><p>${escapeHtml(result.chem.formula)}</p>`;
    }
    switch (result.format) {
      case 'markdown':
        return await vscode.commands.executeCommand<string>('markdown.api.render', result.content);
      case 'html':
        return result.content;
      case 'latex': {
        const render = mathjax();
        if (!render) return undefined;
        const tex = stripMathDelimiters(result.content);
        return `<div class="math">${render(tex, isDisplayMath(tex, true))}</div>`;
      }
      case 'smiles':
        return `<code>${escapeHtml(result.content)}</code>`;
    }
  } catch {
    return undefined;
  }
}
