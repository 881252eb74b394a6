// The package's API with no global of the DOM or Node: its typings must
// resolve in a project that has neither library.
import { CompanionDevice, ImageCreator, VirtualUsbDevice, burn, type BurnResult, type ImageFile } from "rawburn";

const disc = new ImageCreator({ imageType: "raw" });
disc.addTrack("mode1", new Uint8Array(300 * 2048));
export const files: ImageFile[] = disc.createResultImage({ format: "ccd" }).files;
export const burned: Promise<BurnResult> = burn(new VirtualUsbDevice({ minutes: 74 }), disc, { simulate: true });
export const companion: Promise<BurnResult> = CompanionDevice.connect("http://127.0.0.1:7867").then((c) => burn(c, disc));
