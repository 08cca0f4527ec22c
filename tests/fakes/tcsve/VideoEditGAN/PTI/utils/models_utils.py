def toogle_grad(model, flag=True):  # (sic) the real name
    for p in model.parameters():
        p.requires_grad = flag
