/* Draws the report's charts from the JSON specs embedded in the page (runs in the browser). */
(() => {
  const Chart = window.Chart;
  const specs = JSON.parse(document.getElementById('report-charts').textContent);
  const charts = [];

  function applyTheme() {
    const style = getComputedStyle(document.documentElement);
    Chart.defaults.color = style.getPropertyValue('--muted').trim();
    Chart.defaults.borderColor = style.getPropertyValue('--grid').trim();
    for (const chart of charts) chart.update('none');
  }

  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.plugins.legend.position = 'bottom';
  Chart.defaults.interaction = { mode: 'nearest', intersect: false };
  applyTheme();

  for (const spec of specs) {
    const canvas = document.getElementById(spec.id);
    if (canvas) charts.push(new Chart(canvas, spec.config));
  }
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', applyTheme);
  document.body.dataset.chartsDrawn = String(charts.length);
})();
