// Playwright global setup: the fake camera's video files, written before any browser starts (the
// launch flag --use-file-for-fake-video-capture names the card scene; the camera-faults spec starts
// a browser on the file that ends; the mobile desk's shows the demo worker it registers).
import { CAMERA_ENDING_FILE, CAMERA_FILE, DESK_CAMERA_FILE } from '../../playwright.config.js';
import { DESK_PERSON } from './support/deskPeople.js';
import { writeCameraFile, writeEndingCameraFile } from './support/fakeCamera.js';

export default async function globalSetup(): Promise<void> {
  await writeCameraFile(CAMERA_FILE);
  await writeEndingCameraFile(CAMERA_ENDING_FILE);
  await writeCameraFile(DESK_CAMERA_FILE, { person: DESK_PERSON });
}
