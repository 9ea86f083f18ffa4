/**
 * Checks recognised LaTeX by parsing it with MathJax (the same TeX dialect users paste into Markdown
 * previews) and renders it to SVG for the result view. A result that does not parse is reported, never
 * silently inserted.
 */
interface MathJaxKit {
  convert(tex: string): string;
}

let kit: MathJaxKit | undefined;

function load(): MathJaxKit {
  if (kit) return kit;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { mathjax } = require('mathjax-full/js/mathjax.js');
  const { TeX } = require('mathjax-full/js/input/tex.js');
  const { SVG } = require('mathjax-full/js/output/svg.js');
  const { liteAdaptor } = require('mathjax-full/js/adaptors/liteAdaptor.js');
  const { RegisterHTMLHandler } = require('mathjax-full/js/handlers/html.js');
  const { AllPackages } = require('mathjax-full/js/input/tex/AllPackages.js');
  const adaptor = liteAdaptor();
  RegisterHTMLHandler(adaptor);
  const tex = new TeX({
    // Without noundefined and noerrors, an unknown macro or a syntax error is an error, not red text.
    packages: AllPackages.filter((p: string) => !['bussproofs', 'noundefined', 'noerrors'].includes(p)),
    formatError: (_jax: unknown, error: Error) => {
      throw error;
    },
  });
  const document = mathjax.document('', { InputJax: tex, OutputJax: new SVG({ fontCache: 'none' }) });
  kit = { convert: (source) => adaptor.outerHTML(document.convert(source, { display: true })) };
  return kit;
}

export type TexCheck = { ok: true; svg: string } | { ok: false; error: string };

export function checkTex(source: string): TexCheck {
  try {
    return { ok: true, svg: load().convert(source) };
  } catch (error) {
    return { ok: false, error: (error as Error).message ?? String(error) };
  }
}
