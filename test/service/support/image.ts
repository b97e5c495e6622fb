import { testImage } from '../../image/support/testImage';

/**
 * The environment image for the service tests: the one image the image tests build (one build per run), or an
 * existing image named by LAMBDA_SANDBOX_SERVICE_TEST_IMAGE (to iterate on the service without rebuilding).
 */
export function serviceTestImage(): Promise<string> {
  const given = process.env.LAMBDA_SANDBOX_SERVICE_TEST_IMAGE;
  return given ? Promise.resolve(given) : testImage();
}
