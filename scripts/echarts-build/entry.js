// The ECharts the pages use, and nothing more: the cockpit (the donut, the gauges, the community
// map: a scatter over graphic outlines; its trend and bar charts are SVG drawn on the server) and
// the rank history (lines).
// Exposed as window.echarts, as the full bundle was.
import * as echarts from "echarts/core";
import { GaugeChart, LineChart, PieChart, ScatterChart } from "echarts/charts";
import {
  GraphicComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  GaugeChart,
  LineChart,
  PieChart,
  ScatterChart,
  GraphicComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
  CanvasRenderer,
]);

window.echarts = echarts;
