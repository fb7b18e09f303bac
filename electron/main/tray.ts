import { Menu, Tray, nativeImage } from 'electron';

export interface TrayActions {
  show(): void;
  quit(): void;
}

/** The tray icon: Vigil keeps watching when its window is closed; "Quit" stops it. */
export function createTray(iconPath: string, actions: TrayActions): Tray {
  const tray = new Tray(nativeImage.createFromPath(iconPath));
  tray.setToolTip('Vigil: watching your logs');
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Show Vigil', click: actions.show },
      { type: 'separator' },
      { label: 'Quit', click: actions.quit },
    ]),
  );
  tray.on('click', actions.show);
  return tray;
}
