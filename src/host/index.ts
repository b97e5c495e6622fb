// The host-side library: build the lambda-sandbox image and run sandboxes in a (possibly remote) Docker engine.
export { buildImage, DEFAULT_IMAGE_TAG, ImageBuildError, type BuildImageOptions, type BuiltImage } from './buildImage';
export { packBuildContext } from './buildContext';
export { listSandboxes, removeManagedContainers, type ManagedContainer } from './cleanup';
export { removeBuildLeftovers } from './buildLeftovers';
export { DockerIgnore, DockerIgnoreSyntaxError } from './dockerignore';
export { connectDocker, imageExists, isDockerReachable } from './dockerEngine';
export type { LogLineHandler, LogStream } from './dockerLogs';
export { INVOKE_PATH, invokeFunction, type InvokeOptions, type InvokeResult } from './invoke';
export { MANAGED_LABEL, ROLE_LABEL, SESSION_ID, SESSION_LABEL } from './labels';
export { SandboxContainer } from './container';
export { CONTAINER_PATHS, ContainerStartError, startSandboxContainer, type SandboxContainerOptions } from './startContainer';
