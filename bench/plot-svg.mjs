// A line chart as a standalone SVG string, written by hand so that the report needs no plotting dependency:
// x is categorical (evenly spaced, e.g. connections 1, 4, 16, 64), y is logarithmic, so that rates ten times
// apart stay readable side by side.

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
const xmlText = (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** `series`: [{ name, points: [{ x, y }] }], x among `xs`. Returns the SVG document. */
export function lineChartSvg({ title, xLabel, yLabel, xs, series, width = 720, height = 440 }) {
  const margin = { top: 48, right: 170, bottom: 56, left: 76 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter((y) => y > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
  const inset = 24; // keeps the first and last points off the frame
  const xAt = (x) =>
    margin.left +
    inset +
    (xs.length === 1 ? plotW / 2 - inset : (xs.indexOf(x) / (xs.length - 1)) * (plotW - 2 * inset));
  const yAt = (y) =>
    margin.top + plotH - ((Math.log10(y) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" role="img">`,
    `<title>${xmlText(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${margin.left}" y="24" font-size="15" font-weight="bold">${xmlText(title)}</text>`,
  ];
  for (let decade = lo; decade <= hi; decade *= 10) {
    for (const step of [1, 2, 5]) {
      const y = decade * step;
      if (y > hi) break;
      const major = step === 1;
      out.push(
        `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${yAt(y)}" y2="${yAt(y)}" stroke="${major ? "#bbbbbb" : "#e5e5e5"}"/>`,
        `<text x="${margin.left - 8}" y="${yAt(y) + 4}" text-anchor="end" fill="#444444">${y.toLocaleString("en-US")}</text>`,
      );
    }
  }
  for (const x of xs) {
    out.push(
      `<line x1="${xAt(x)}" x2="${xAt(x)}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#eeeeee"/>`,
      `<text x="${xAt(x)}" y="${margin.top + plotH + 18}" text-anchor="middle" fill="#444444">${xmlText(x)}</text>`,
    );
  }
  out.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888888"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 14}" text-anchor="middle">${xmlText(xLabel)}</text>`,
    `<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${xmlText(yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const points = s.points.filter((p) => p.y > 0 && xs.includes(p.x));
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map((p) => `${xAt(p.x).toFixed(1)},${yAt(p.y).toFixed(1)}`).join(" ")}"/>`,
      ...points.map(
        (p) =>
          `<circle cx="${xAt(p.x).toFixed(1)}" cy="${yAt(p.y).toFixed(1)}" r="3.5" fill="${color}"><title>${xmlText(`${s.name}, ${p.x}: ${p.y.toLocaleString("en-US")}`)}</title></circle>`,
      ),
      `<line x1="${width - margin.right + 16}" x2="${width - margin.right + 40}" y1="${margin.top + 10 + i * 22}" y2="${margin.top + 10 + i * 22}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${width - margin.right + 46}" y="${margin.top + 14 + i * 22}">${xmlText(s.name)}</text>`,
    );
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
