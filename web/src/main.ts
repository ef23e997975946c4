import { DEVICE_ID_PATTERN, newDeviceId } from "../../events/contract";
import { LiveChart } from "./chart";
import { loadConfig, type SiteConfig } from "./config";
import { GuestCredentials } from "./credentials";
import { PeakSampler, magnitudeOf } from "./motion";
import { EventSender, type SenderStats } from "./sender";
import { httpTransport, kinesisTransport, type Transport } from "./transports";

/** The page's elements, looked up once; text only ever goes in through textContent. */
const view = {
  status: element("status"),
  start: element("start") as HTMLButtonElement,
  accepted: element("accepted"),
  current: element("current"),
  max: element("max"),
  queued: element("queued"),
  transport: element("transport"),
  device: element("device"),
  error: element("error"),
  chart: new LiveChart(element("chart") as HTMLCanvasElement),
};

// iOS Safari exposes requestPermission on the constructor; other browsers grant motion without asking.
type MotionPermission = { requestPermission?: () => Promise<"granted" | "denied"> };

void main();

async function main(): Promise<void> {
  const device = deviceId();
  view.device.textContent = device;

  let config: SiteConfig;
  try {
    config = await loadConfig();
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  if (!window.isSecureContext)
    return fail("Motion sensors and signing need HTTPS: open this page over https://.");
  if (typeof DeviceMotionEvent === "undefined") return fail("This browser has no motion sensor access.");

  const sender = new EventSender(transportsFor(config), showStats);
  const sampler = new PeakSampler(config.sampleIntervalMs);
  let running = false;
  let maximum = 0;
  showStats(sender.stats());

  const onMotion = (event: DeviceMotionEvent) => {
    const reading = magnitudeOf(event.accelerationIncludingGravity);
    if (reading === null) return;
    view.current.textContent = String(reading);
    const magnitude = sampler.offer(reading, performance.now());
    if (magnitude === null) return;
    maximum = Math.max(maximum, magnitude);
    view.max.textContent = String(maximum);
    view.chart.push(magnitude);
    sender.add({ magnitude, time: new Date().toISOString(), device });
  };

  view.start.disabled = false;
  view.status.textContent = "Ready. Press Start, then shake your phone.";
  view.start.addEventListener("click", async () => {
    if (running) {
      window.removeEventListener("devicemotion", onMotion);
      running = false;
      view.start.textContent = "Start";
      view.status.textContent = "Paused.";
      return;
    }
    // Must run inside the click: iOS only asks for permission from a user gesture.
    // Called as a method: WebKit's static needs DeviceMotionEvent as `this`.
    const motion = DeviceMotionEvent as unknown as MotionPermission;
    if (motion.requestPermission) {
      const answer = await motion.requestPermission().catch(() => "denied" as const);
      if (answer !== "granted")
        return fail("Motion access was denied. Allow it in the browser settings and reload.");
    }
    window.addEventListener("devicemotion", onMotion);
    sender.start();
    running = true;
    view.start.textContent = "Stop";
    view.status.textContent = "Recording. Shake it!";
  });
}

function transportsFor(config: SiteConfig): Transport[] {
  const transports: Transport[] = [];
  if (config.transport !== "http" && config.identityPoolId && config.guestRoleArn) {
    const credentials = new GuestCredentials(
      {
        identityPoolId: config.identityPoolId,
        guestRoleArn: config.guestRoleArn,
        cognitoEndpoint: config.endpoints.cognitoIdentity,
        stsEndpoint: config.endpoints.sts,
      },
      safeLocalStorage(),
    );
    transports.push(
      kinesisTransport(config.endpoints.kinesis, config.region, config.streamName, credentials),
    );
  }
  if (config.transport !== "kinesis" && config.ingestUrl) transports.push(httpTransport(config.ingestUrl));
  return transports;
}

function showStats(stats: SenderStats): void {
  view.accepted.textContent = String(stats.accepted);
  view.queued.textContent = stats.lost > 0 ? `${stats.queued} (lost ${stats.lost})` : String(stats.queued);
  view.transport.textContent = stats.transport;
  view.error.textContent = stats.lastError ?? "";
  view.error.hidden = stats.lastError === null;
}

function fail(message: string): void {
  view.status.textContent = "Cannot record.";
  view.error.textContent = message;
  view.error.hidden = false;
  view.start.disabled = true;
}

/** This phone's id, kept across reloads so one phone stays one device. */
function deviceId(): string {
  const storage = safeLocalStorage();
  const known = storage?.getItem("lakestack.device");
  if (known && DEVICE_ID_PATTERN.test(known)) return known;
  const fresh = newDeviceId();
  storage?.setItem("lakestack.device", fresh);
  return fresh;
}

// Private browsing can forbid storage; the page then works without remembering anything.
function safeLocalStorage(): Storage | undefined {
  try {
    const storage = window.localStorage;
    storage.setItem("lakestack.probe", "1");
    storage.removeItem("lakestack.probe");
    return storage;
  } catch {
    return undefined;
  }
}

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`index.html lacks #${id}`);
  return found;
}
