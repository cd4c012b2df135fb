"use strict";
// Number and size formatting shared by the tables, the progress lines and the charts.

function formatSize(bytes) {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

/** 3 significant digits with k / M: 7.28 M, 493 k, 53.1 k. */
function formatRate(value) {
  if (value === 0) return "0";
  if (value >= 1e6) return `${(value / 1e6).toPrecision(3)} M`;
  if (value >= 1e3) return `${(value / 1e3).toPrecision(3)} k`;
  return value.toPrecision(3);
}

const formatNumber = (value) => (value >= 100 ? value.toFixed(0) : value.toPrecision(3));
const formatRatio = (value) => (value == null ? "–" : `${value.toFixed(2)}×`);
const formatSpread = (value) => (value == null ? "–" : `${Math.round(value * 100)} %`);

/** 75 s → "1:15", 3725 s → "1:02:05". */
function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const two = (n) => String(n).padStart(2, "0");
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

module.exports = {
  formatSize,
  formatRate,
  formatNumber,
  formatRatio,
  formatSpread,
  formatDuration,
};
